/**
 * Lifecycle benchmark: claim throughput with 10 concurrent workers, and GET /queue/stats p50 with
 * 100 and with 10,000 worksets stored (the counters make it constant time: target ≤ 1.2× apart).
 *
 *   npx tsx bench/lifecycle.ts         standalone (npm run bench runs it after registration)
 *   lifecycleFigures({ url, ddb, … })  from another runner that already has a server
 *
 * Prints figures; asserts nothing (timings are not tests).
 */
import { fileURLToPath } from 'node:url';
import { BatchWriteCommand, type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { counterShardId } from '../lambdas/lib/domain/queue-counters.ts';
import { queueOrder, type Priority } from '../lambdas/lib/domain/workset.ts';
import { toItem } from '../lambdas/lib/stores/dynamodb/queue-index.ts';
import { startBenchStack } from './local-stack.ts';
import { percentile, printFigures, type Figures } from './stats.ts';

export interface LifecycleBenchContext {
  /** Base URL of a running local server whose handlers use `table` and `bucket`. */
  readonly url: string;
  readonly ddb: DynamoDBDocumentClient;
  readonly table: string;
  readonly bucket: string;
  readonly controlPrefix?: string;
}

const PRIORITIES: readonly Priority[] = ['urgent', 'normal', 'low'];
let seeded = 0;

/**
 * Puts `count` worksets straight into the table (BatchWriteItem, 25 at a time) and adds
 * them to one counter shard, so the stats stay exact without a transaction per record.
 */
export async function seedWorksets(
  context: LifecycleBenchContext,
  count: number,
  tag: string,
  state: 'ready' | 'complete',
  options: { priority?: Priority; lease?: { owner: string; expiresAt: string }; customer?: string; id?: string } = {},
): Promise<void> {
  const prefix = context.controlPrefix ?? 'daylily_monitoring/active_worksets/';
  const records = Array.from({ length: count }, () => {
    const n = seeded++;
    const id = options.id ?? `bench-${tag}-${n.toString(16).padStart(8, '0')}`;
    const created = new Date(Date.UTC(2026, 0, 1) + n).toISOString();
    const priority = options.priority ?? PRIORITIES[n % 3]!;
    return toItem({
      workset_id: id,
      customer_id: options.customer ?? `bench-${tag}`,
      workset_name: id,
      state,
      priority,
      queue_order: queueOrder(priority, created),
      pipeline_type: 'germline',
      reference_genome: 'GRCh38',
      sample_count: 0,
      control_bucket: context.bucket,
      control_prefix: `${prefix}${id}/`,
      export_uri: `s3://${context.bucket}/${prefix}${id}/results/`,
      enable_qc: true,
      archive_results: true,
      created_at: created,
      updated_at: created,
      version: 1,
      state_history: [],
      ...(options.lease ? { lock_owner: options.lease.owner, lease_epoch: 1, lease_expires_at: options.lease.expiresAt, lock_acquired_at: created } : {}),
    });
  });
  const batches = Array.from({ length: Math.ceil(records.length / 25) }, (_, i) => records.slice(i * 25, i * 25 + 25));
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = next++; i < batches.length; i = next++) {
        let items: Record<string, unknown>[] = batches[i]!.map((Item) => ({ PutRequest: { Item } }));
        while (items.length > 0) {
          const result = await context.ddb.send(new BatchWriteCommand({ RequestItems: { [context.table]: items as never } }));
          items = (result.UnprocessedItems?.[context.table] ?? []) as Record<string, unknown>[];
        }
      }
    }),
  );
  await context.ddb.send(
    new UpdateCommand({
      TableName: context.table,
      Key: { workset_id: counterShardId(0) },
      UpdateExpression: 'ADD #state :n',
      ExpressionAttributeNames: { '#state': state },
      ExpressionAttributeValues: { ':n': count },
    }),
  );
}

async function timed(request: () => Promise<Response>, expected: number[]): Promise<{ ms: number; status: number }> {
  const start = performance.now();
  const response = await request();
  await response.arrayBuffer();
  const ms = performance.now() - start;
  if (!expected.includes(response.status)) throw new Error(`expected ${expected.join('/')}, got ${response.status}`);
  return { ms, status: response.status };
}

async function statsP50(url: string, samples = 200): Promise<number> {
  const latencies: number[] = [];
  for (let i = 0; i < samples; i += 1) latencies.push((await timed(() => fetch(`${url}/queue/stats`), [200])).ms);
  return percentile(latencies, 50);
}

export async function lifecycleFigures(context: LifecycleBenchContext): Promise<Figures> {
  const figures: Figures = [];
  const { url } = context;

  // Queue stats with 100 and with 10,000 worksets stored (complete ones: they stay out of the queue).
  await seedWorksets(context, 100, 'small', 'complete');
  await statsP50(url, 50); // warm-up
  const small = await statsP50(url);
  await seedWorksets(context, 9_900, 'large', 'complete');
  const large = await statsP50(url);
  figures.push(
    ['queue stats p50 (100 worksets)', small, 'ms'],
    ['queue stats p50 (10,000 worksets)', large, 'ms'],
    ['queue stats p50 ratio 10,000 / 100', large / small, '×', '≤ 1.2'],
  );

  // Claims: 10 workers drain 600 ready worksets, each starting what it claimed (the protocol:
  // claim, then PUT …/state in_progress), so leased worksets leave the head of the queue.
  await seedWorksets(context, 600, 'claim', 'ready');
  const start_ = (id: string, worker: number, epoch: number) =>
    timed(
      () =>
        fetch(`${url}/worksets/${id}/state`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ state: 'in_progress', reason: 'bench', owner_id: `bench-worker-${worker}`, lease_epoch: epoch }),
        }),
      [200],
    );
  const claim = async (worker: number) => {
    const begin = performance.now();
    const response = await fetch(`${url}/worksets/claim`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ owner_id: `bench-worker-${worker}` }) });
    const body = response.status === 200 ? ((await response.json()) as { workset_id: string; lease_epoch: number }) : (await response.arrayBuffer(), undefined);
    if (response.status !== 200 && response.status !== 204) throw new Error(`claim answered ${response.status}`);
    return { ms: performance.now() - begin, status: response.status, body };
  };
  const latencies: number[] = [];
  let claims = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: 10 }, async (_, worker) => {
      for (;;) {
        const answer = await claim(worker);
        if (answer.status === 204 || !answer.body) return;
        latencies.push(answer.ms);
        claims += 1;
        await start_(answer.body.workset_id, worker, answer.body.lease_epoch);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  // The same with one worker: the cost of a claim without contention for the queue's head, with
  // nothing leased ahead of it, then behind 2,000 leased worksets their workers have not started
  // (urgent, so they sort first): the claim must not read past them.
  const soloClaims = async (): Promise<number> => {
    const solo: number[] = [];
    for (let answer = await claim(0); answer.status === 200 && answer.body; answer = await claim(0)) {
      solo.push(answer.ms);
      await start_(answer.body.workset_id, 0, answer.body.lease_epoch);
    }
    return percentile(solo, 50);
  };
  await seedWorksets(context, 100, 'solo', 'ready', { priority: 'normal' });
  const alone = await soloClaims();
  await seedWorksets(context, 2_000, 'leased', 'ready', { priority: 'urgent', lease: { owner: 'bench-sleeper', expiresAt: new Date(Date.now() + 3_600_000).toISOString() } });
  await seedWorksets(context, 100, 'behind', 'ready', { priority: 'normal' });
  const behind = await soloClaims();
  figures.push(
    ['claim p50, 1 worker', alone, 'ms'],
    ['claim p50, 1 worker, 2,000 leased ahead', behind, 'ms'],
    ['claim p50 ratio, 2,000 leased ahead / none', behind / alone, '×', '≤ 1.2'],
  );
  figures.push(
    ['claims, 10 workers (each workset once)', claims, 'claims'],
    ['claim+start throughput, 10 workers', claims / seconds, 'worksets/s'],
    ['claim p50, 10 workers', percentile(latencies, 50), 'ms'],
    ['claim p99, 10 workers', percentile(latencies, 99), 'ms'],
  );
  return figures;
}

// ---------------------------------------------------------------------------------------------
// Standalone
// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const stack = await startBenchStack('lc');
  try {
    printFigures('Lifecycle benchmark (embedded DynamoDB Local + s3rver, this machine):', await lifecycleFigures({ url: stack.url, ddb: stack.ddb, table: stack.tables.worksets, bucket: stack.bucket }));
  } finally {
    await stack.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
