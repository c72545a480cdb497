/**
 * The worker side: the queue (next, claim), progress with metrics, failures with backoff, and one
 * workset end to end from the create route to a released, complete run.
 */
import { describe, expect, it } from 'vitest';
import { backoffSeconds } from '../../lambdas/lib/domain/lifecycle.ts';
import { documentClient } from '../../lambdas/lib/stores/dynamodb/dynamodb-client.ts';
import { call } from '../support/api.ts';
import { recordCalls } from '../support/faults.ts';
import { useLocalAws } from '../support/local-aws.ts';
import { worksetFixtures } from '../support/worksets.ts';

const aws = useLocalAws('worker-protocol');
const { seed, record, sentinels, monitorAgrees } = worksetFixtures(aws);

const claim = (owner: string) => call('ClaimWorkset', { body: { owner_id: owner } });
const at = (offsetMs: number) => new Date(Date.UTC(2026, 0, 1) + offsetMs).toISOString();

// Files in this describe share one table: each test drains the queue it filled.
async function drain(owner = 'drainer') {
  for (let answer = await claim(owner); answer.status === 200; answer = await claim(owner)) {
    await call('OverrideWorksetState', { path: { workset_id: answer.json.workset_id }, body: { state: 'ignored', reason: 'drain' } });
  }
}

describe('the queue', () => {
  it('next and claim serve urgent before normal before low, oldest first, with due retries included; 204 when empty', async () => {
    await drain();
    expect((await call('NextWorkset')).status).toBe(204);
    expect((await claim('w')).status).toBe(204);

    const low = await seed({ priority: 'low', createdAt: at(0) });
    const normalNew = await seed({ priority: 'normal', createdAt: at(3000) });
    const normalOld = await seed({ priority: 'normal', createdAt: at(1000) });
    const urgent = await seed({ priority: 'urgent', createdAt: at(5000) });
    const dueRetry = await seed({ state: 'retrying', priority: 'normal', createdAt: at(2000), extra: { retry_after: new Date(Date.now() - 1000).toISOString() } });
    await seed({ state: 'retrying', priority: 'urgent', createdAt: at(0), extra: { retry_after: new Date(Date.now() + 3600_000).toISOString() } });
    const leased = await seed({ priority: 'urgent', createdAt: at(100), extra: { lock_owner: 'other', lease_epoch: 1, lease_expires_at: new Date(Date.now() + 600_000).toISOString() } });

    const next = await call('NextWorkset');
    expect(next.status).toBe(200);
    expect(next.json.workset_id).toBe(urgent.workset_id);
    expect((await call('GetWorkset', { path: { workset_id: urgent.workset_id } })).json.lock_owner).toBeNull();

    const order: string[] = [];
    for (let answer = await claim('w'); answer.status === 200; answer = await claim('w')) {
      expect(answer.json).toMatchObject({ lock_owner: 'w', lease_epoch: 1 });
      order.push(answer.json.workset_id);
    }
    expect(order).toEqual([urgent, normalOld, dueRetry, normalNew, low].map((workset) => workset.workset_id));
    expect(order).not.toContain(leased.workset_id);
    expect(await sentinels(urgent.control_prefix)).toContain('daylily.lock');
    await drain();
  });

  it('10 workers claiming 30 worksets concurrently: each claimed exactly once, each worker in priority order', async () => {
    await drain();
    const priorities = ['urgent', 'normal', 'low'] as const;
    const seeded = await Promise.all(
      Array.from({ length: 30 }, (_, i) => seed({ priority: priorities[i % 3]!, createdAt: at(i * 1000), files: false })),
    );
    const rank = new Map(seeded.map((workset) => [workset.workset_id, workset.queue_order]));
    const claims = await Promise.all(
      Array.from({ length: 10 }, async (_, worker) => {
        const mine: string[] = [];
        for (let answer = await claim(`worker-${worker}`); answer.status === 200; answer = await claim(`worker-${worker}`)) {
          expect(answer.json.lock_owner).toBe(`worker-${worker}`);
          mine.push(answer.json.workset_id);
        }
        return mine;
      }),
    );
    const all = claims.flat();
    expect(all.sort()).toEqual(seeded.map((workset) => workset.workset_id).sort());
    expect(new Set(all).size).toBe(30);
    for (const mine of claims) {
      const orders = mine.map((id) => rank.get(id)!);
      expect(orders).toEqual([...orders].sort());
    }
    // Every record is leased by the worker that got it.
    for (const [worker, mine] of claims.entries()) {
      for (const id of mine) expect((await record(id))!.lock_owner).toBe(`worker-${worker}`);
    }
    await drain();
  });
});

describe('the queue behind many leased worksets', () => {
  it('a claim reads past 150 leased (not yet started) worksets instead of answering 204', async () => {
    await drain();
    const lease = { lock_owner: 'busy', lease_epoch: 1, lease_expires_at: new Date(Date.now() + 600_000).toISOString() };
    await Promise.all(Array.from({ length: 150 }, (_, i) => seed({ priority: 'urgent', createdAt: at(i), files: false, extra: lease })));
    const free = await seed({ priority: 'low', createdAt: at(0), files: false });
    const answer = await claim('late-worker');
    expect(answer.status).toBe(200);
    expect(answer.json.workset_id).toBe(free.workset_id);
    expect((await call('NextWorkset')).status).toBe(204);
  });

  it('reads the same few index pages whether 0 or 300 leased worksets wait ahead of the free one', async () => {
    await drain();
    const queries = async () => {
      const recorder = recordCalls(documentClient(aws.region));
      const answer = await call('NextWorkset');
      recorder.stop();
      return { answer, queries: recorder.calls.filter((c) => c.command === 'QueryCommand').length };
    };
    const free = await seed({ priority: 'low', createdAt: at(0), files: false });
    const alone = await queries();
    expect(alone.answer.json.workset_id).toBe(free.workset_id);
    const lease = { lock_owner: 'busy', lease_epoch: 1, lease_expires_at: new Date(Date.now() + 600_000).toISOString() };
    await Promise.all(Array.from({ length: 300 }, (_, i) => seed({ priority: 'urgent', createdAt: at(i), files: false, extra: lease })));
    const behind = await queries();
    expect(behind.answer.json.workset_id).toBe(free.workset_id);
    // The lease-expiry index, then the claimable index for ready and for retrying.
    expect(behind.queries).toBe(alone.queries);
    expect(behind.queries).toBeLessThanOrEqual(3);
    await drain();
  });
});

describe('a run whose worker died', () => {
  const lapsed = () => ({ lock_owner: 'dead-worker', lease_epoch: 4, lease_expires_at: new Date(Date.now() - 60_000).toISOString(), current_step: 'align' });

  it('is recovered by the next claim: a transient failure recorded, the lease revoked, and claimable again after its backoff', async () => {
    await drain();
    const running = await seed({ state: 'in_progress', extra: { ...lapsed(), retry_count: 0 } });

    const answer = await claim('live-worker');
    expect(answer.status).toBe(204); // its backoff has not passed yet

    const recovered = (await record(running.workset_id))!;
    expect(recovered).toMatchObject({ state: 'retrying', retry_count: 1, error_category: 'transient', failed_step: 'align', lease_epoch: 5 });
    expect(recovered.lock_owner).toBeUndefined();
    expect(recovered.error_details).toContain('dead-worker');
    expect(recovered.state_history.at(-1)).toMatchObject({ from: 'in_progress', to: 'retrying', actor: 'live-worker' });
    const folder = await monitorAgrees(running.workset_id);
    expect(folder.actual).toBe(folder.expected);

    // The dead worker's late writes are fenced off.
    const late = await call('SetWorksetState', { path: { workset_id: running.workset_id }, body: { state: 'complete', reason: 'done', owner_id: 'dead-worker', lease_epoch: 4 } });
    expect(late.status).toBe(409);
    await drain();
  });

  it('is recovered when a worker asks for its lease: 409 naming when it can be leased again', async () => {
    const running = await seed({ state: 'in_progress', extra: lapsed() });
    const answer = await call('AcquireLease', { path: { workset_id: running.workset_id }, body: { owner_id: 'live-worker' } });
    expect(answer.status).toBe(409);
    expect(answer.json).toMatchObject({ current_state: 'retrying', retry_after: expect.any(String) });
  });

  it("may not write progress once its lease ran out: 409 telling it to stop, nothing written", async () => {
    const running = await seed({ state: 'in_progress', extra: lapsed() });
    const late = await call('RecordProgress', { path: { workset_id: running.workset_id }, body: { owner_id: 'dead-worker', lease_epoch: 4, current_step: 'call' } });
    expect(late.status).toBe(409);
    expect(late.json.detail).toMatch(/expired/);
    expect((await record(running.workset_id))!.current_step).toBe('align');
  });
});

describe('progress', () => {
  it('merges metrics (a reserved word) key by key and sets step and timestamps without changing the state', async () => {
    const workset = await seed();
    const granted = await call('AcquireLease', { path: { workset_id: workset.workset_id }, body: { owner_id: 'w' } });
    const lease = { owner_id: 'w', lease_epoch: granted.json.lease_epoch };
    await call('SetWorksetState', { path: { workset_id: workset.workset_id }, body: { state: 'in_progress', reason: 'go', ...lease, metrics: { samples_staged: 0 } } });

    const first = await call('RecordProgress', {
      path: { workset_id: workset.workset_id },
      body: { ...lease, current_step: 'align', started_at: '2026-01-01T10:00:00+02:00', metrics: { samples_staged: 4, cost_usd: 1.25 } },
    });
    expect(first.status).toBe(200);
    const second = await call('RecordProgress', { path: { workset_id: workset.workset_id }, body: { ...lease, metrics: { reads: 123456789 } } });
    expect(second.json).toMatchObject({
      state: 'in_progress',
      current_step: 'align',
      started_at: '2026-01-01T08:00:00.000Z',
      metrics: { samples_staged: 4, cost_usd: 1.25, reads: 123456789 },
    });
    const stored = (await record(workset.workset_id))!;
    expect(stored.metrics).toEqual({ samples_staged: 4, cost_usd: 1.25, reads: 123456789 });
    expect(Number.isInteger(stored.metrics!.reads)).toBe(true);

    const stale = await call('RecordProgress', { path: { workset_id: workset.workset_id }, body: { owner_id: 'w', lease_epoch: 99, current_step: 'x' } });
    expect(stale.status).toBe(409);
    expect((await record(workset.workset_id))!.current_step).toBe('align');
  });

  it('keeps a workset within 100 metric keys: a merge past it is a 400 naming metrics, keys it has can still change', async () => {
    const workset = await seed();
    const granted = await call('AcquireLease', { path: { workset_id: workset.workset_id }, body: { owner_id: 'w' } });
    const lease = { owner_id: 'w', lease_epoch: granted.json.lease_epoch };
    const keys = (from: number, count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`m${from + i}`, i]));
    const progress = (metrics: Record<string, unknown>) => call('RecordProgress', { path: { workset_id: workset.workset_id }, body: { ...lease, metrics } });

    expect((await progress(keys(0, 60))).status).toBe(200);
    expect((await progress(keys(60, 40))).status).toBe(200);
    const over = await progress({ one_more: 1 });
    expect(over.status).toBe(400);
    expect(over.json.errors).toEqual([{ field: 'metrics', message: 'would take the workset past 100 metric keys' }]);
    // Updating keys it already has adds none: the conservative first write is refused, the exact retry lands.
    const updated = await progress({ m0: 'updated', m99: 99.5 });
    expect(updated.status).toBe(200);
    const stored = (await record(workset.workset_id))!;
    expect(Object.keys(stored.metrics!)).toHaveLength(100);
    expect(stored.metrics).toMatchObject({ m0: 'updated', m99: 99.5 });
  });

  it('refuses metric values DynamoDB could not store, naming the metric', async () => {
    const workset = await seed();
    const granted = await call('AcquireLease', { path: { workset_id: workset.workset_id }, body: { owner_id: 'w' } });
    for (const value of [1e308, -1e200, 5e-324, 'x'.repeat(257), [[[[['deep']]]]], '\ud800']) {
      const answer = await call('RecordProgress', { path: { workset_id: workset.workset_id }, body: { owner_id: 'w', lease_epoch: granted.json.lease_epoch, metrics: { bad: value } } });
      expect(answer.status, JSON.stringify(value)).toBe(400);
      expect(answer.json.errors[0].field).toBe('metrics.bad');
    }
  });

  it('the final state write carries metrics too (the Python worker died on this)', async () => {
    const workset = await seed();
    const granted = await call('AcquireLease', { path: { workset_id: workset.workset_id }, body: { owner_id: 'w' } });
    const lease = { owner_id: 'w', lease_epoch: granted.json.lease_epoch };
    await call('SetWorksetState', { path: { workset_id: workset.workset_id }, body: { state: 'in_progress', reason: 'go', ...lease } });
    const done = await call('SetWorksetState', {
      path: { workset_id: workset.workset_id },
      body: { state: 'complete', reason: 'pipeline finished', ...lease, cluster_name: 'day-cluster-1', metrics: { runtime_s: 3600, state: 'ok' } },
    });
    expect(done.status).toBe(200);
    expect(done.json).toMatchObject({ state: 'complete', cluster_name: 'day-cluster-1', metrics: { runtime_s: 3600, state: 'ok' } });
  });
});

describe('failures', () => {
  async function running(extra: Record<string, unknown> = {}) {
    const workset = await seed({ state: 'in_progress', extra: { lock_owner: 'w', lease_epoch: 4, lease_expires_at: new Date(Date.now() + 600_000).toISOString(), ...extra } });
    return workset;
  }
  const fail = (worksetId: string, body: Record<string, unknown>) =>
    call('RecordFailure', { path: { workset_id: worksetId }, body: { owner_id: 'w', lease_epoch: 4, error_details: 'OOM on align', failed_step: 'align', ...body } });

  it('a transient failure schedules a retry with exponential backoff, integer counters, and ends the lease', async () => {
    const workset = await running({ retry_count: 2 });
    const before = Date.now();
    const response = await fail(workset.workset_id, { error_category: 'transient' });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ state: 'retrying', retry_count: 3, max_retries: 3, retry_scheduled: true, error_category: 'transient', failed_step: 'align', lock_owner: null, lease_epoch: 5 });
    const delay = Date.parse(response.json.retry_after) - before;
    expect(delay).toBeGreaterThanOrEqual(backoffSeconds(2) * 1000 - 50);
    expect(delay).toBeLessThan(backoffSeconds(2) * 1000 + 2000);
    expect(backoffSeconds(2)).toBe(8);
    const stored = (await record(workset.workset_id))!;
    expect(stored.retry_count).toBe(3);
    expect(Number.isInteger(stored.retry_count)).toBe(true);
    expect(stored.state_history.at(-1)).toMatchObject({ from: 'in_progress', to: 'retrying', reason: 'Retry 3/3 after transient error' });
    // Retrying shows no state sentinel: the monitor leaves it to the worker protocol.
    expect(await monitorAgrees(workset.workset_id)).toEqual({ actual: 'none', expected: 'none', lock: false, leased: false });
    // Not claimable before its backoff.
    expect((await call('AcquireLease', { path: { workset_id: workset.workset_id }, body: { owner_id: 'x' } })).status).toBe(409);
  });

  it('the retry after max_retries, or any non-retryable category, is failed (daylily.error)', async () => {
    const exhausted = await running({ retry_count: 3 });
    const response = await fail(exhausted.workset_id, { error_category: 'resource' });
    expect(response.json).toMatchObject({ state: 'failed', retry_count: 4, retry_after: null, retry_scheduled: false });
    expect(await aws.getText(`${exhausted.control_prefix}daylily.error`)).toMatch(/\tfailed: OOM on align$/);

    const data = await running();
    expect((await fail(data.workset_id, { error_category: 'data' })).json).toMatchObject({ state: 'failed', retry_count: 1 });
  });

  it('caps the backoff at an hour and needs the lease', async () => {
    expect(backoffSeconds(0)).toBe(2);
    expect(backoffSeconds(30)).toBe(3600);
    const workset = await running({ retry_count: 20, max_retries: 50 });
    const response = await fail(workset.workset_id, { error_category: 'transient' });
    expect(Date.parse(response.json.retry_after) - Date.now()).toBeLessThanOrEqual(3600_000);
    expect(Date.parse(response.json.retry_after) - Date.now()).toBeGreaterThan(3590_000);

    const other = await running();
    expect((await fail(other.workset_id, { error_category: 'transient', lease_epoch: 3 })).status).toBe(409);
    expect((await fail(other.workset_id, { error_category: 'sometimes' })).status).toBe(400);
  });
});

describe('end to end from the create route', () => {
  it('create → claim → in_progress → progress → complete → release, sentinels matching at every step', async () => {
    await drain();
    await aws.seedCustomer('lab-e2e');
    const created = await call('CreateWorkset', {
      path: { customer_id: 'lab-e2e' },
      body: { workset_name: 'e2e run', pipeline_type: 'snv', reference_genome: 'GRCh38', priority: 'urgent', samples: [{ sample_id: 'S1', r1_file: 's3://lab-data/r1.fq.gz', r2_file: 's3://lab-data/r2.fq.gz' }] },
    });
    expect(created.status).toBe(201);
    const id = created.json.workset_id as string;
    const folder = `${aws.controlPrefix}${id}/`;
    expect((await call('QueueStats')).json.queue_depth.ready).toBeGreaterThanOrEqual(1);

    const claimed = await claim('worker-e2e');
    expect(claimed.json).toMatchObject({ workset_id: id, lock_owner: 'worker-e2e', lease_epoch: 1 });
    expect(await sentinels(folder)).toEqual(['daylily.lock', 'daylily.ready']);
    const lease = { owner_id: 'worker-e2e', lease_epoch: 1 };

    await call('SetWorksetState', { path: { workset_id: id }, body: { state: 'in_progress', reason: 'started', ...lease } });
    expect(await sentinels(folder)).toEqual(['daylily.in_progress', 'daylily.lock']);
    await call('RecordProgress', { path: { workset_id: id }, body: { ...lease, current_step: 'call', metrics: { n: 1 } } });
    await call('RefreshLease', { path: { workset_id: id }, body: lease });
    const done = await call('SetWorksetState', { path: { workset_id: id }, body: { state: 'complete', reason: 'ok', ...lease } });
    expect(done.json).toMatchObject({ state: 'complete', sentinels: { in_sync: true } });
    expect(await sentinels(folder)).toEqual(['daylily.complete', 'daylily.lock']);
    await call('ReleaseLease', { path: { workset_id: id }, query: { owner_id: 'worker-e2e' } });
    expect(await sentinels(folder)).toEqual(['daylily.complete']);

    const logs = await call('WorksetLogs', { path: { customer_id: 'lab-e2e', workset_id: id } });
    expect(logs.json.logs.map((entry: { to: string }) => entry.to)).toEqual(['registering', 'ready', 'in_progress', 'complete']);
    const customerView = await call('GetCustomerWorkset', { path: { customer_id: 'lab-e2e', workset_id: id } });
    expect(customerView.json.state).toBe('complete');
  });
});
