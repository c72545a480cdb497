/**
 * The local server's stream and schedule entries, against the run's DynamoDB Local: fixture
 * entries of each kind next to an HTTP one, the table's stream delivered as the stack's event
 * source mapping delivers it, the schedule ticking with the event the stack's schedule sends.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { STREAM_DELIVERY } from '../../infra/delivery-policy.ts';
import type { EntryPoint, HttpEntry, ScheduleEntry, StreamEntry } from '../../infra/entry-points.ts';
import { startLocalServer, type LocalServer } from '../../infra/local/server.ts';
import { ensureTables } from '../../lambdas/lib/stores/dynamodb/create-tables.ts';
import type { RecordedTick } from '../fixtures/handlers/schedule-counter.ts';
import type { RecordedBatch } from '../fixtures/handlers/stream-recorder.ts';
import { useLocalAws } from '../support/local-aws.ts';

const aws = useLocalAws('local-triggers');

const streamEntry = (id: string, batchSize: number, table: StreamEntry['trigger']['table'] = 'worksets'): StreamEntry => ({
  id,
  trigger: { kind: 'stream', table, batchSize },
  handler: 'test/fixtures/handlers/stream-recorder.ts',
  access: {},
  summary: `${id}: records what the stream delivers`,
});
const scheduleEntry = (id: string, minutes: number, handler = 'schedule-counter'): ScheduleEntry => ({
  id,
  trigger: { kind: 'schedule', rate: { minutes } },
  handler: `test/fixtures/handlers/${handler}.ts`,
  access: {},
  summary: `${id}: counts ticks`,
});
const ECHO: HttpEntry = {
  id: 'Echo',
  trigger: { kind: 'http', method: 'GET', path: '/echo', auth: 'none' },
  handler: 'test/fixtures/handlers/echo.ts',
  access: {},
  summary: 'Echo',
  contract: { request: {}, responses: {} },
};
const ENTRIES: EntryPoint[] = [ECHO, streamEntry('RecordChanges', 3), scheduleEntry('CountTicks', 1)];

/** Short enough for a test, long enough that retries are not a busy loop. */
const POLL_MS = 50;
/** A schedule "minute" of this server: CountTicks (every minute) ticks five times a second. */
const MINUTE_MS = 200;

let logDir: string;
let server: LocalServer;
let streamArn: string;
const dynamodb = new DynamoDBClient({ region: aws.region });

beforeAll(async () => {
  logDir = await mkdtemp(join(tmpdir(), 'daylily-triggers-'));
  process.env.TRIGGER_FIXTURE_LOG = join(logDir, 'log.jsonl');
  // useLocalAws created the tables without streams: this turns the worksets table's on.
  await ensureTables(dynamodb, aws.tables, { streams: ['worksets'] });
  streamArn = (await dynamodb.send(new DescribeTableCommand({ TableName: aws.tables.worksets }))).Table!.LatestStreamArn!;
  server = await startLocalServer({ port: 0, entries: ENTRIES, tables: aws.tables, streamPollIntervalMs: POLL_MS, minuteMs: MINUTE_MS });
});
afterAll(async () => {
  await server?.close(1_000);
  dynamodb.destroy();
  await rm(logDir, { recursive: true, force: true });
});

async function logLines(): Promise<Array<RecordedBatch | RecordedTick>> {
  const text = await readFile(process.env.TRIGGER_FIXTURE_LOG!, 'utf8').catch(() => '');
  return text.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as RecordedBatch | RecordedTick);
}

/** The batches an entry received that hold records of `keys`, each as its records' keys. */
async function batchesOf(entryId: string, keys: readonly string[]): Promise<string[][]> {
  return (await logLines())
    .filter((line): line is RecordedBatch => line.kind === 'stream' && line.functionName === `daylily-workset-api-${entryId}`)
    .map((batch) => batch.records.map((record) => record.key).filter((key) => keys.includes(key)))
    .filter((batch) => batch.length > 0);
}

const unique = (label: string): string => `${label}-${Math.random().toString(36).slice(2, 8)}`;
const put = (item: Record<string, unknown>) => aws.ddb.send(new PutCommand({ TableName: aws.tables.worksets, Item: item }));
const waitFor = <T>(check: () => Promise<T>) => vi.waitFor(check, { timeout: 10_000, interval: 50 });

/** Writes a record that holds its batch's invocation, and waits until that invocation runs. */
async function holdTheShard(ms: number): Promise<void> {
  const key = unique('hold');
  await put({ workset_id: key, hold_ms: ms });
  await waitFor(async () => expect((await batchesOf('RecordChanges', [key])).flat()).toEqual([key]));
}

describe('stream entries', () => {
  it('receive every write of their table, in order, as a DynamoDB stream event in batches of their size', async () => {
    const keys = ['a', 'b', 'c', 'd', 'e'].map(unique);
    for (const [n, key] of keys.entries()) await put({ workset_id: key, state: 'ready', n });
    await aws.ddb.send(
      new UpdateCommand({
        TableName: aws.tables.worksets,
        Key: { workset_id: keys[1] },
        UpdateExpression: 'SET #s = :s',
        ExpressionAttributeNames: { '#s': 'state' },
        ExpressionAttributeValues: { ':s': 'in_progress' },
      }),
    );
    await aws.ddb.send(new DeleteCommand({ TableName: aws.tables.worksets, Key: { workset_id: keys[4] } }));

    const expected = [...keys.map((key) => `INSERT ${key}`), `MODIFY ${keys[1]}`, `REMOVE ${keys[4]}`];
    const received = async () =>
      (await logLines())
        .filter((line): line is RecordedBatch => line.kind === 'stream' && line.functionName === 'daylily-workset-api-RecordChanges')
        .map((batch) => ({ ...batch, records: batch.records.filter((record) => keys.includes(record.key)) }))
        .filter((batch) => batch.records.length > 0);
    await waitFor(async () => expect((await received()).flatMap((batch) => batch.records.map((record) => `${record.eventName} ${record.key}`))).toEqual(expected));

    const batches = await received();
    for (const batch of batches) expect(batch.records.length).toBeLessThanOrEqual(3);
    const records = batches.flatMap((batch) => batch.records);
    expect(new Set(records.map((record) => record.eventSourceARN))).toEqual(new Set([streamArn]));
    const modify = records.find((record) => record.eventName === 'MODIFY')!;
    expect(modify.oldImage).toMatchObject({ workset_id: { S: keys[1] }, state: { S: 'ready' }, n: { N: '1' } });
    expect(modify.newImage).toMatchObject({ workset_id: { S: keys[1] }, state: { S: 'in_progress' } });
    const removal = records.find((record) => record.eventName === 'REMOVE')!;
    expect(removal.newImage).toBeUndefined();
    expect(removal.oldImage).toMatchObject({ workset_id: { S: keys[4] } });
    // Lambda's epoch seconds, not the Streams API's date.
    expect(records[0]!.approximateCreationDateTime).toBeTypeOf('number');
    expect(Math.abs((records[0]!.approximateCreationDateTime as number) - Date.now() / 1000)).toBeLessThan(120);
    // The stream consumer's function timeout (60 s), not an HTTP route's.
    expect(batches[0]!.remainingMs).toBeGreaterThan(50_000);
    expect(batches[0]!.remainingMs).toBeLessThanOrEqual(60_000);
  });

  it('retry a partial batch from its first failed record on, never the records before it', async () => {
    await holdTheShard(1_000);
    const [x1, x2, x3] = ['x1', 'x2', 'x3'].map(unique) as [string, string, string];
    await put({ workset_id: x1 });
    await put({ workset_id: x2, fail_deliveries: 2 });
    await put({ workset_id: x3 });

    // One batch of three (they arrived while the shard was held), x2 fails twice.
    await waitFor(async () => expect(await batchesOf('RecordChanges', [x1, x2, x3])).toEqual([[x1, x2, x3], [x2, x3], [x2, x3]]));
  });

  it('halve a batch whose invocation throws, and give a record up after the stack\'s retries so the shard moves on', async () => {
    await holdTheShard(1_000);
    const [y1, y2, y3] = ['y1', 'y2', 'y3'].map(unique) as [string, string, string];
    await put({ workset_id: y1 });
    await put({ workset_id: y2, throw_deliveries: 1_000 });
    await put({ workset_id: y3 });

    await waitFor(async () => expect((await batchesOf('RecordChanges', [y1, y2, y3])).at(-1)).toEqual([y3]));
    const batches = await batchesOf('RecordChanges', [y1, y2, y3]);
    // Bisection isolates y1 from the failing y2, and y1 gets through.
    expect(batches.slice(0, 3)).toEqual([[y1, y2, y3], [y1, y2], [y1]]);
    // y2 then heads one invocation and STREAM_DELIVERY.retryAttempts retries, is given up, and y3 follows.
    const headedByY2 = batches.filter((batch) => batch[0] === y2);
    expect(headedByY2).toHaveLength(STREAM_DELIVERY.retryAttempts + 1);
    expect(batches.slice(3, -1)).toEqual(headedByY2);
    expect(batches.at(-1)).toEqual([y3]);
  });
});

describe('schedule entries', () => {
  const ticksOf = async (entryId: string): Promise<RecordedTick[]> =>
    (await logLines()).filter((line): line is RecordedTick => line.kind === 'schedule' && line.functionName === `daylily-workset-api-${entryId}`);

  it('tick on their rate with the event the stack\'s schedule sends', async () => {
    await waitFor(async () => expect((await ticksOf('CountTicks')).length).toBeGreaterThanOrEqual(3));
    const ticks = await ticksOf('CountTicks');
    for (const { event } of ticks) {
      expect(Object.keys(event).sort()).toEqual(['attemptNumber', 'executionId', 'scheduleArn', 'scheduledTime']);
      expect(event.scheduleArn).toBe(`arn:aws:scheduler:${aws.region}:000000000000:schedule/default/CountTicksSchedule`);
      expect(event.scheduledTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(event.attemptNumber).toBe('1');
    }
    expect(new Set(ticks.map((tick) => tick.event.executionId)).size).toBe(ticks.length);
    // The reconciler's function timeout (300 s).
    expect(ticks[0]!.remainingMs).toBeGreaterThan(290_000);
    expect(ticks[0]!.remainingMs).toBeLessThanOrEqual(300_000);
  });

  it('run at once on tick(), and a failed run is not retried', async () => {
    const onDemand = await startLocalServer({
      port: 0,
      entries: [scheduleEntry('TickOnDemand', 60), scheduleEntry('FailingTick', 60, 'failing')],
      tables: aws.tables,
    });
    try {
      expect(await ticksOf('TickOnDemand')).toEqual([]);
      await onDemand.triggers.tick('TickOnDemand');
      expect(await ticksOf('TickOnDemand')).toHaveLength(1);
      await expect(onDemand.triggers.tick('FailingTick')).rejects.toThrow('fixture handler failure');
      await expect(onDemand.triggers.tick('Nothing')).rejects.toThrow('No schedule entry Nothing is running.');
    } finally {
      await onDemand.close(1_000);
    }
  });
});

describe('the local server with triggers', () => {
  it('still serves its HTTP entries', async () => {
    const response = await fetch(`${server.url}/echo`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { event: { routeKey: string } }).event.routeKey).toBe('GET /echo');
  });

  it('refuses to start when a stream entry\'s table has no stream, or does not exist, saying how to get one', async () => {
    await expect(
      startLocalServer({ port: 0, entries: [streamEntry('ReadCustomers', 10, 'customers')], tables: aws.tables }),
    ).rejects.toThrow(/ReadCustomers reads the stream of the customers table \(.+\), which has none/);
    await expect(
      startLocalServer({ port: 0, entries: [streamEntry('ReadNothing', 10)], tables: { ...aws.tables, worksets: 'no-such-table' } }),
    ).rejects.toThrow(/ReadNothing reads the stream of the worksets table \(no-such-table\), which does not exist\. Start the local server with --create-table/);
  });

  it('start at the stream\'s tip, replaying nothing, and keep delivering when other tables\' writes come between (DynamoDB Local numbers all tables\' records in one sequence)', async () => {
    // A table of its own, so its stream is empty when the server starts (that is when it mattered).
    const tables = { ...aws.tables, worksets: `${aws.tables.worksets}-tip` };
    await ensureTables(dynamodb, tables, { streams: ['worksets'] });
    const fromTip = await startLocalServer({ port: 0, entries: [streamEntry('RecordFromTip', 10)], tables, streamPollIntervalMs: POLL_MS });
    try {
      const keys = [unique('first'), unique('second')];
      for (const key of keys) {
        // A write of another table: in DynamoDB Local it takes the sequence number next in line.
        await aws.ddb.send(new PutCommand({ TableName: aws.tables.customers, Item: { customer_id: unique('between') } }));
        await aws.ddb.send(new PutCommand({ TableName: tables.worksets, Item: { workset_id: key } }));
      }
      await waitFor(async () => expect((await batchesOf('RecordFromTip', keys)).flat()).toEqual(keys));
      await fromTip.close(1_000);
      // Started again on a stream holding records: from after the last one, nothing replayed.
      const again = await startLocalServer({ port: 0, entries: [streamEntry('RecordFromTipAgain', 10)], tables, streamPollIntervalMs: POLL_MS });
      try {
        const later = unique('later');
        await aws.ddb.send(new PutCommand({ TableName: aws.tables.customers, Item: { customer_id: unique('between') } }));
        await aws.ddb.send(new PutCommand({ TableName: tables.worksets, Item: { workset_id: later } }));
        await waitFor(async () => expect((await batchesOf('RecordFromTipAgain', [...keys, later])).flat()).toEqual([later]));
      } finally {
        await again.close(1_000);
      }
    } finally {
      await fromTip.close(1_000);
    }
  });

  it('stops reading the stream on close', async () => {
    const second = await startLocalServer({ port: 0, entries: [streamEntry('RecordUntilClosed', 10)], tables: aws.tables, streamPollIntervalMs: POLL_MS });
    const before = unique('before');
    await put({ workset_id: before });
    await waitFor(async () => expect(await batchesOf('RecordUntilClosed', [before])).toEqual([[before]]));

    await second.close(1_000);
    const after = unique('after');
    await put({ workset_id: after });
    // The running server still sees it: the write did reach the stream.
    await waitFor(async () => expect((await batchesOf('RecordChanges', [after])).flat()).toEqual([after]));
    await new Promise((resolve) => setTimeout(resolve, 5 * POLL_MS));
    expect(await batchesOf('RecordUntilClosed', [after])).toEqual([]);
  });
});
