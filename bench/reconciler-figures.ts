/**
 * Reconciler benchmark: a pass over 1,000 active (ready) worksets, then over the same with 10,000
 * finished (complete) ones stored too, each with its control folder (two registration files and
 * its sentinel) — time and AWS requests by kind, counted on the very clients the pass uses. What a
 * pass reads of single records and folders must not grow with the finished worksets: only the
 * listing of the control prefix (1,000 keys a request) does, and a full recount's COUNT queries.
 *
 *   npx tsx bench/reconciler-figures.ts      standalone (npm run bench runs it last)
 *
 * Prints figures; asserts nothing (timings are not tests).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BatchWriteCommand, DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION, localAwsEnv, startDynamoDbLocal, startS3Server } from '../infra/local/emulators.ts';
import { DEFAULT_CONTROL_PREFIX, resolveSettings } from '../lambdas/lib/config/settings.ts';
import { holdsSlot } from '../lambdas/lib/domain/customer.ts';
import { counterShardId } from '../lambdas/lib/domain/queue-counters.ts';
import { sentinelOf } from '../lambdas/lib/domain/sentinel-rules.ts';
import { queueOrder, type WorksetRecord } from '../lambdas/lib/domain/workset.ts';
import { reconcile, type PassReport } from '../lambdas/lib/flows/reconciler/reconcile.ts';
import { ensureTables } from '../lambdas/lib/stores/dynamodb/create-tables.ts';
import { documentClient } from '../lambdas/lib/stores/dynamodb/dynamodb-client.ts';
import { ACTIVE as SLOTS } from '../lambdas/lib/stores/dynamodb/customer-counters.ts';
import { toItem } from '../lambdas/lib/stores/dynamodb/queue-index.ts';
import { CUSTOMER_ITEM_KEYS } from '../lambdas/lib/stores/tables.ts';
import { s3Client } from '../lambdas/lib/stores/s3/s3-client.ts';
import { reconcilerDepsFrom } from '../lambdas/lib/wiring/reconciler-deps.ts';
import { printFigures, type Figures } from './stats.ts';

const ACTIVE = 1_000;
const FINISHED = 10_000;
const BUCKET = 'bench-reconciler';

/** Counts every request the client sends, by service and command. */
function countCalls(service: string, client: { middlewareStack: { add: Function } }, calls: Record<string, number>): void {
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      const key = `${service}:${(context.commandName ?? 'unknown').replace(/Command$/, '')}`;
      calls[key] = (calls[key] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'bench-reconciler-counter' },
  );
}

async function inParallel<T>(items: readonly T[], lanes: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: lanes }, async () => {
    for (let i = next++; i < items.length; i = next++) await work(items[i]!);
  }));
}

export async function reconcilerFigures(): Promise<Figures> {
  const scratch = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const dataDir = await mkdtemp(join(scratch, 'daylily-bench-reconciler-'));
  const dynamodb = await startDynamoDbLocal({});
  const s3Server = await startS3Server({ directory: join(dataDir, 's3'), buckets: [BUCKET] });
  const tables = { worksets: 'bench-rec-worksets', customers: 'bench-rec-customers', idempotency: 'bench-rec-idempotency', notifications: 'bench-rec-notifications' };
  const env = {
    ...localAwsEnv({ dynamodb: dynamodb.endpoint, s3: s3Server.endpoint }),
    AWS_REGION: LOCAL_REGION,
    DAYLILY_CONTROL_BUCKET: BUCKET,
    DAYLILY_WORKSET_TABLE: tables.worksets,
    DAYLILY_CUSTOMER_TABLE: tables.customers,
    DAYLILY_IDEMPOTENCY_TABLE: tables.idempotency,
    DAYLILY_NOTIFICATION_TABLE: tables.notifications,
  };
  Object.assign(process.env, env);
  const admin = new DynamoDBClient({ endpoint: dynamodb.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const ddb = DynamoDBDocumentClient.from(admin);
  const s3 = new S3Client({ endpoint: s3Server.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  const figures: Figures = [];
  try {
    await ensureTables(admin, tables);
    let seeded = 0;
    const seed = async (count: number, state: 'ready' | 'complete') => {
      const created = new Date(Date.now() - 3_600_000).toISOString();
      const records = Array.from({ length: count }, (): WorksetRecord => {
        const id = `bench-${state}-${(seeded++).toString(16).padStart(8, '0')}`;
        const folder = `${DEFAULT_CONTROL_PREFIX}${id}/`;
        return {
          workset_id: id, customer_id: 'bench-lab', workset_name: id, state, priority: 'normal', queue_order: queueOrder('normal', created),
          pipeline_type: 'germline', reference_genome: 'GRCh38', sample_count: 0, control_bucket: BUCKET, control_prefix: folder,
          export_uri: `s3://${BUCKET}/${folder}results/`, enable_qc: true, archive_results: true, created_at: created, updated_at: created, version: 1, state_history: [],
        };
      });
      const batches = Array.from({ length: Math.ceil(records.length / 25) }, (_, i) => records.slice(i * 25, i * 25 + 25));
      await inParallel(batches, 8, async (batch) => {
        let items: Record<string, unknown>[] = batch.map((record) => ({ PutRequest: { Item: toItem(record) } }));
        while (items.length > 0) {
          const result = await ddb.send(new BatchWriteCommand({ RequestItems: { [tables.worksets]: items as never } }));
          items = (result.UnprocessedItems?.[tables.worksets] ?? []) as Record<string, unknown>[];
        }
      });
      await ddb.send(new UpdateCommand({ TableName: tables.worksets, Key: { workset_id: counterShardId(0) }, UpdateExpression: 'ADD #s :n', ExpressionAttributeNames: { '#s': state }, ExpressionAttributeValues: { ':n': count } }));
      // Their customer's slots, as registration counts them: a clean store has no quota drift either.
      if (holdsSlot(state)) await ddb.send(new UpdateCommand({ TableName: tables.customers, Key: { customer_id: CUSTOMER_ITEM_KEYS.counters('bench-lab') }, UpdateExpression: 'ADD #a :n', ExpressionAttributeNames: { '#a': SLOTS }, ExpressionAttributeValues: { ':n': count } }));
      const objects = records.flatMap((record) => ['daylily_work.yaml', 'daylily_info.yaml', sentinelOf(record)!].map((name) => `${record.control_prefix}${name}`));
      await inParallel(objects, 16, (key) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'x' })));
    };

    const calls: Record<string, number> = {};
    const settings = resolveSettings({}, process.env);
    countCalls('dynamodb', documentClient(settings.region), calls);
    countCalls('s3', s3Client(settings.region), calls);
    const deps = { ...reconcilerDepsFrom(settings, { metrics: () => undefined }) };
    const measuredPass = async (label: string, options: { fullRecount?: boolean } = {}): Promise<{ report: PassReport; requests: Record<string, number> }> => {
      for (const key of Object.keys(calls)) delete calls[key];
      const started = performance.now();
      const report = await reconcile(deps, options);
      const ms = performance.now() - started;
      const requests = { ...calls };
      const total = (service: string) => Object.entries(requests).filter(([key]) => key.startsWith(service)).reduce((sum, [, n]) => sum + n, 0);
      const drift = Object.values(report.kinds).reduce((sum, counts) => sum + counts.found, 0);
      figures.push(
        [`reconciler pass, ${label}`, ms, 'ms'],
        [`  DynamoDB requests`, total('dynamodb'), 'calls'],
        [`  S3 requests`, total('s3'), 'calls'],
        [`  drift found (a clean store: 0)`, drift, 'drifts', '≤ 0'],
      );
      console.log(`\nAWS requests of one pass, ${label} (read ${report.read.active} active, ${report.read.folders} folders):`);
      for (const [key, value] of Object.entries(requests).sort()) console.log(`  ${key.padEnd(40)} ${value}`);
      return { report, requests };
    };

    process.stderr.write(`seeding ${ACTIVE.toLocaleString('en')} active worksets with their folders…\n`);
    await seed(ACTIVE, 'ready');
    const small = await measuredPass(`${ACTIVE.toLocaleString('en')} active`);
    process.stderr.write(`seeding ${FINISHED.toLocaleString('en')} finished worksets with their folders…\n`);
    await seed(FINISHED, 'complete');
    const large = await measuredPass(`${ACTIVE.toLocaleString('en')} active + ${FINISHED.toLocaleString('en')} finished`);
    await measuredPass(`${ACTIVE.toLocaleString('en')} active + ${FINISHED.toLocaleString('en')} finished, full recount`, { fullRecount: true });

    // Single records and folders: every request but the prefix listing (and the recount's COUNT queries).
    const singles = (requests: Record<string, number>) => Object.entries(requests).filter(([key]) => key !== 's3:ListObjects').reduce((sum, [, n]) => sum + n, 0);
    figures.push(
      ['requests other than the prefix listing, ratio with / without finished', singles(large.requests) / singles(small.requests), '×', '≤ 1.0'],
      ['prefix listing requests, with finished worksets', large.requests['s3:ListObjects'] ?? 0, 'calls', `≤ ${Math.ceil(((ACTIVE + FINISHED) * 3) / 1000) + 1}`],
    );
  } finally {
    admin.destroy();
    s3.destroy();
    await Promise.all([dynamodb.stop(), s3Server.stop()]);
    await rm(dataDir, { recursive: true, force: true });
  }
  return figures;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  printFigures('Reconciler benchmark (embedded DynamoDB Local + s3rver, this machine):', await reconcilerFigures());
}
