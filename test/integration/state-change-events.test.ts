/**
 * The stream consumer on DynamoDB Local: the worksets table's real stream, delivered by the local
 * runner as the stack's event source mapping would, to the real handler (events as JSON lines,
 * mail as files, the ledger on DynamoDB); and the handler called directly with records of the
 * stream, twice, under the entry's IAM permissions.
 */
import { mkdtempSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, type _Record } from '@aws-sdk/client-dynamodb-streams';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLocalServer } from '../../infra/local/server.ts';
import { lambdaRecord } from '../../infra/local/triggers.ts';
import { ENTRY_POINTS } from '../../infra/entry-points.ts';
import { DELIVERY_ENV } from '../../lambdas/lib/config/delivery-settings.ts';
import type { StateChangeEvent } from '../../lambdas/lib/domain/state-change-event.ts';
import { ensureTables } from '../../lambdas/lib/stores/dynamodb/create-tables.ts';
import { call, invokeEntry } from '../support/api.ts';
import { useLocalAws } from '../support/local-aws.ts';

const aws = useLocalAws('state-change-events');
// Before any handler reads its settings: events and mail into this file's own directories.
const scratch = mkdtempSync(join(tmpdir(), 'daylily-events-'));
const EVENTS = join(scratch, 'events');
const MAIL = join(scratch, 'mail');
Object.assign(process.env, { [DELIVERY_ENV.eventsDir]: EVENTS, [DELIVERY_ENV.mailDir]: MAIL, [DELIVERY_ENV.notificationSender]: 'daylily@lab.test' });

const dynamodb = new DynamoDBClient({ region: aws.region });
const streams = new DynamoDBStreamsClient({ region: aws.region, endpoint: aws.env.AWS_ENDPOINT_URL_DYNAMODB });
let streamArn: string;

beforeAll(async () => {
  // useLocalAws made the tables without a stream; the stack gives the worksets table one.
  await ensureTables(dynamodb, aws.tables, { streams: ['worksets'] });
  streamArn = (await dynamodb.send(new DescribeTableCommand({ TableName: aws.tables.worksets }))).Table!.LatestStreamArn!;
});
afterAll(async () => {
  dynamodb.destroy();
  streams.destroy();
  await rm(scratch, { recursive: true, force: true });
});

let customers = 0;
async function newCustomer(): Promise<string> {
  const id = `events-${(customers += 1)}-${Date.now().toString(36)}`;
  await aws.seedCustomer(id);
  return id;
}

async function published(): Promise<StateChangeEvent[]> {
  const files = (await readdir(EVENTS).catch(() => [] as string[])).filter((name) => name.endsWith('.jsonl')).sort();
  const lines = (await Promise.all(files.map((name) => readFile(join(EVENTS, name), 'utf8')))).flatMap((text) => text.split('\n').filter(Boolean));
  return lines.map((line) => JSON.parse(line) as StateChangeEvent);
}
const eventsOf = async (worksetId: string) => (await published()).filter((event) => event.detail.workset_id === worksetId);
async function mailsAbout(worksetId: string): Promise<string[]> {
  const names = await readdir(MAIL).catch(() => [] as string[]);
  const texts = await Promise.all(names.map((name) => readFile(join(MAIL, name), 'utf8')));
  return texts.filter((text) => text.includes(`(${worksetId})`));
}

const register = (customerId: string, extra: Record<string, unknown> = {}) =>
  call('CreateWorkset', { path: { customer_id: customerId }, body: { workset_name: 'trio 7', pipeline_type: 'snv', reference_genome: 'GRCh38', notification_email: 'pi@lab.test', ...extra } });

/** Every record the table's stream holds now (DynamoDB Local: one shard). */
async function streamRecords(): Promise<_Record[]> {
  const { StreamDescription: description } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  const records: _Record[] = [];
  for (const shard of description?.Shards ?? []) {
    let iterator = (await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    while (iterator) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
      if ((page.Records ?? []).length === 0) break;
      records.push(...page.Records!);
      iterator = page.NextShardIterator;
    }
  }
  return records;
}

describe('the stream consumer', () => {
  it('publishes one event per state change, in order, as the history records them, and mails the completion once', { timeout: 30_000 }, async () => {
    const consumer = ENTRY_POINTS.find((entry) => entry.id === 'PublishStateChanges')!;
    const server = await startLocalServer({ port: 0, entries: [consumer], tables: aws.tables, streamPollIntervalMs: 50 });
    try {
      const customerId = await newCustomer();
      const created = await register(customerId);
      expect(created.status).toBe(201);
      const id = created.json.workset_id as string;
      const claimed = await call('ClaimWorkset', { body: { owner_id: 'worker-7' } });
      expect(claimed.json.workset_id).toBe(id);
      const lease = { owner_id: 'worker-7', lease_epoch: claimed.json.lease_epoch as number };
      expect((await call('SetWorksetState', { path: { workset_id: id }, body: { state: 'in_progress', reason: 'started', ...lease } })).status).toBe(200);
      expect((await call('SetWorksetState', { path: { workset_id: id }, body: { state: 'complete', reason: 'all samples called', ...lease } })).status).toBe(200);

      await vi.waitFor(async () => expect(await eventsOf(id)).toHaveLength(4), { timeout: 15_000, interval: 100 });
      const history = (await call('WorksetLogs', { path: { customer_id: customerId, workset_id: id } })).json.logs as Array<{ from: string | null; to: string; reason: string; actor: string; at: string }>;
      expect((await eventsOf(id)).map((event) => event.detail)).toEqual(
        history.map(({ from, to, reason, actor, at }, version) => ({ schema_version: 1, event_id: `${id}:${version}`, workset_id: id, customer_id: customerId, from, to, reason, actor, time: at, version })),
      );
      for (const event of await eventsOf(id)) {
        expect(event).toMatchObject({ version: '0', 'detail-type': 'Workset State Change', source: 'daylily.workset-api', region: aws.region, resources: [] });
        expect(event.time).toBe(event.detail.time.replace(/\.\d+Z$/, 'Z'));
      }
      await vi.waitFor(async () => expect(await mailsAbout(id)).toHaveLength(1), { timeout: 10_000, interval: 100 });
      expect((await mailsAbout(id))[0]).toContain('Subject: Daylily workset "trio 7" completed');
    } finally {
      await server.close(1_000);
    }
  });

  it('given the same stream records twice, publishes their events again with the same ids and sends no second email', async () => {
    const customerId = await newCustomer();
    const id = (await register(customerId)).json.workset_id as string;
    expect((await call('CancelWorkset', { path: { customer_id: customerId, workset_id: id }, body: { reason: 'wrong reference' } })).status).toBe(200);
    const records = (await streamRecords()).filter((record) => record.dynamodb?.Keys?.workset_id?.S?.startsWith(id));
    expect(records.length).toBeGreaterThanOrEqual(4);
    const event = { Records: records.map((record) => lambdaRecord(record, streamArn)) };

    expect(await invokeEntry('PublishStateChanges', event)).toEqual({ batchItemFailures: [] });
    expect(await invokeEntry('PublishStateChanges', event)).toEqual({ batchItemFailures: [] });

    const ids = (await eventsOf(id)).map((change) => change.detail.event_id);
    expect(ids).toEqual([`${id}:0`, `${id}:1`, `${id}:2`, `${id}:0`, `${id}:1`, `${id}:2`]);
    expect(await mailsAbout(id)).toHaveLength(1);
    expect((await mailsAbout(id))[0]).toContain('Reason: wrong reference');
  });

  it('skips the records of the table that are not state changes, failing none', async () => {
    const records = (await streamRecords()).filter((record) => !record.dynamodb?.Keys?.workset_id?.S?.includes('#history#')).slice(0, 10);
    expect(records.length).toBeGreaterThan(0);
    const before = (await published()).length;
    expect(await invokeEntry('PublishStateChanges', { Records: records.map((record) => lambdaRecord(record, streamArn)) })).toEqual({ batchItemFailures: [] });
    expect((await published()).length).toBe(before);
  });
});
