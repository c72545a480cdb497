/** The queue on the in-memory stores: what `next` shows and the order `claim` leases in. */
import { describe, expect, it } from 'vitest';
import { claimNext, nextWorkset } from '../../lambdas/lib/flows/lifecycle/queue.ts';
import { queueStats } from '../../lambdas/lib/flows/lifecycle/operator.ts';
import { inMemory } from '../support/in-memory.ts';

const at = (seconds: number) => new Date(Date.UTC(2026, 1, 1) + seconds * 1000).toISOString();

describe('the queue', () => {
  it('claims urgent before normal before low, oldest first, due retries merged in, leased and waiting ones skipped', async () => {
    const world = inMemory();
    const low = world.seed({ priority: 'low', createdAt: at(0) });
    const normalNew = world.seed({ createdAt: at(30) });
    const normalOld = world.seed({ createdAt: at(10) });
    const urgent = world.seed({ priority: 'urgent', createdAt: at(50) });
    const dueRetry = world.seed({ state: 'retrying', createdAt: at(20), extra: { retry_after: at(0) } });
    world.seed({ state: 'retrying', priority: 'urgent', createdAt: at(0), extra: { retry_after: '2026-03-01T13:00:00.000Z' } });
    world.seed({ priority: 'urgent', createdAt: at(1), extra: { lock_owner: 'other', lease_epoch: 1, lease_expires_at: '2026-03-01T12:30:00.000Z' } });

    expect((await nextWorkset(world.lifecycle))?.workset_id).toBe(urgent.workset_id);
    expect((await world.record(urgent.workset_id))?.lock_owner).toBeUndefined();

    const order: string[] = [];
    for (let claimed = await claimNext(world.lifecycle, { owner: 'w' }); claimed; claimed = await claimNext(world.lifecycle, { owner: 'w' })) {
      expect(claimed).toMatchObject({ lock_owner: 'w', lease_epoch: 1 });
      order.push(claimed.workset_id);
    }
    expect(order).toEqual([urgent, normalOld, dueRetry, normalNew, low].map((workset) => workset.workset_id));
    expect(world.sentinels(urgent.control_prefix)).toContain('daylily.lock');
    expect(await nextWorkset(world.lifecycle)).toBeUndefined();
  });

  it('reads past a head of leased worksets longer than one page', async () => {
    const world = inMemory();
    for (let i = 0; i < 150; i += 1) {
      world.seed({ priority: 'urgent', createdAt: at(i), files: false, extra: { lock_owner: `w-${i}`, lease_epoch: 1, lease_expires_at: '2026-03-01T18:00:00.000Z' } });
    }
    const last = world.seed({ priority: 'low', createdAt: at(0) });
    expect((await claimNext(world.lifecycle, { owner: 'late' }))?.workset_id).toBe(last.workset_id);
    expect(await claimNext(world.lifecycle, { owner: 'late' })).toBeUndefined();
  });

  it('an expired lease puts a workset back in the queue, and claims leave the counters unchanged', async () => {
    const world = inMemory();
    const workset = world.seed();
    await claimNext(world.lifecycle, { owner: 'w1', leaseSeconds: 60 });
    expect(await claimNext(world.lifecycle, { owner: 'w2' })).toBeUndefined();
    world.advance(60);
    expect(await claimNext(world.lifecycle, { owner: 'w2' })).toMatchObject({ workset_id: workset.workset_id, lock_owner: 'w2', lease_epoch: 2 });
    expect(await queueStats(world.lifecycle)).toMatchObject({ total_worksets: 1, ready_worksets: 1 });
  });
});

describe('leases that ran out', () => {
  it('a claim takes over a ready workset whose lease ran out before it started, in queue order', async () => {
    const world = inMemory();
    const lapsed = world.seed({ priority: 'urgent', createdAt: at(5), extra: { lock_owner: 'gone', lease_epoch: 3, lease_expires_at: at(-1) } });
    const free = world.seed({ createdAt: at(0) });
    const claimed = await claimNext(world.lifecycle, { owner: 'w' });
    expect(claimed).toMatchObject({ workset_id: lapsed.workset_id, lock_owner: 'w', lease_epoch: 4 });
    expect((await claimNext(world.lifecycle, { owner: 'w' }))?.workset_id).toBe(free.workset_id);
  });

  it("a claim recovers an in_progress run whose worker stopped heartbeating, and claims it once its backoff passed", async () => {
    const world = inMemory();
    const running = world.seed({ state: 'in_progress', extra: { lock_owner: 'gone', lease_epoch: 2, lease_expires_at: at(-10), current_step: 'call' } });
    expect(await claimNext(world.lifecycle, { owner: 'w' })).toBeUndefined();
    expect(await world.record(running.workset_id)).toMatchObject({ state: 'retrying', retry_count: 1, failed_step: 'call', error_category: 'transient', lease_epoch: 3 });
    expect(world.sentinels(running.control_prefix)).toEqual([]);
    world.advance(3);
    expect(await claimNext(world.lifecycle, { owner: 'w' })).toMatchObject({ workset_id: running.workset_id, state: 'retrying', lock_owner: 'w', lease_epoch: 4 });
  });

  it('leaves a live run alone, and a run past its retry budget fails', async () => {
    const world = inMemory();
    const live = world.seed({ state: 'in_progress', extra: { lock_owner: 'alive', lease_epoch: 1, lease_expires_at: at(999_999_999) } });
    const exhausted = world.seed({ state: 'in_progress', extra: { lock_owner: 'gone', lease_epoch: 1, lease_expires_at: at(-1), retry_count: 3, max_retries: 3 } });
    await claimNext(world.lifecycle, { owner: 'w' });
    expect(await world.record(live.workset_id)).toMatchObject({ state: 'in_progress', lock_owner: 'alive' });
    expect(await world.record(exhausted.workset_id)).toMatchObject({ state: 'failed' });
    expect(world.sentinels(exhausted.control_prefix)).toEqual(['daylily.error']);
  });
});
