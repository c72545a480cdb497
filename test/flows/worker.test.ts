/** The worker's writes on the in-memory stores: fenced state changes, progress, failures and sentinel repair. */
import { describe, expect, it } from 'vitest';
import { ConflictError, StorageUnavailableError } from '../../lambdas/lib/errors.ts';
import { acquireLease } from '../../lambdas/lib/flows/lifecycle/leases.ts';
import { overrideState, recordFailure, recordProgress, setState } from '../../lambdas/lib/flows/lifecycle/worker.ts';
import { cancelWorkset } from '../../lambdas/lib/flows/lifecycle/cancel-retry.ts';
import type { StateChange, WriteOutcome } from '../../lambdas/lib/ports/worksets.ts';
import type { WorksetRecord } from '../../lambdas/lib/domain/workset.ts';
import { MemoryWorksetStore } from '../../lambdas/lib/stores/memory/memory-worksets.ts';
import { failing, inMemory, type InMemoryWorld } from '../support/in-memory.ts';

async function leased(world: InMemoryWorld, owner = 'worker-a') {
  const workset = world.seed();
  const { workset: granted } = await acquireLease(world.lifecycle, { worksetId: workset.workset_id, owner, leaseSeconds: 600 });
  return { workset, lease: { owner, epoch: granted.lease_epoch! } };
}

const conflict = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error as ConflictError);

describe('a worker holding the lease', () => {
  it('starts and completes its run with fenced writes; the folder follows each state', async () => {
    const world = inMemory();
    const { workset, lease } = await leased(world);

    const started = await setState(world.lifecycle, { worksetId: workset.workset_id, state: 'in_progress', reason: 'started', actor: 'worker-a', lease });
    expect(started).toMatchObject({ state: 'in_progress', version: 2, lock_owner: 'worker-a', sentinels: { in_sync: true } });
    expect(world.sentinels(workset.control_prefix)).toEqual(['daylily.in_progress', 'daylily.lock']);

    world.advance(60);
    const done = await setState(world.lifecycle, { worksetId: workset.workset_id, state: 'complete', reason: 'done', actor: 'worker-a', lease, metrics: { samples: 2 } });
    expect(done).toMatchObject({ state: 'complete', version: 3, metrics: { samples: 2 } });
    expect(world.sentinels(workset.control_prefix)).toEqual(['daylily.complete', 'daylily.lock']);
    expect((await world.worksets.history(workset.workset_id, { limit: 10 })).entries.map((entry) => entry.to)).toEqual(['in_progress', 'complete']);
  });

  it('a stale epoch is refused: a worker replaced after its lease expired cannot overwrite newer work', async () => {
    const world = inMemory();
    const { workset, lease: old } = await leased(world);
    world.advance(601);
    const { workset: taken } = await acquireLease(world.lifecycle, { worksetId: workset.workset_id, owner: 'worker-a' });
    expect(taken.lease_epoch).toBe(2);

    const refused = await conflict(setState(world.lifecycle, { worksetId: workset.workset_id, state: 'in_progress', reason: 'late', actor: 'worker-a', lease: old }));
    expect(refused).toBeInstanceOf(ConflictError);
    expect(refused?.message).toMatch(/lease_epoch 1 is stale/);
    expect(await world.record(workset.workset_id)).toMatchObject({ state: 'ready', lease_epoch: 2, version: 1 });
  });

  it('a takeover between a worker’s read and its write: the store’s fence refuses the write, the worker is told to stop', async () => {
    const world = inMemory();
    const { workset, lease } = await leased(world);
    world.advance(601);
    // The hook runs just before the worker's state write: another worker takes the expired lease first.
    let tookOver = false;
    world.worksets.fail = (operation) => {
      if (operation === 'changeState' && !tookOver) {
        tookOver = true;
        void world.worksets.grantLease({ worksetId: workset.workset_id, owner: 'worker-b', now: world.now().toISOString(), expiresAt: '2026-03-01T14:00:00.000Z' });
      }
      return undefined;
    };

    const refused = await conflict(setState(world.lifecycle, { worksetId: workset.workset_id, state: 'in_progress', reason: 'late', actor: 'worker-a', lease }));
    expect(tookOver).toBe(true);
    expect(refused?.details).toMatchObject({ lock_owner: 'worker-b', lease_epoch: 2 });
    expect(await world.record(workset.workset_id)).toMatchObject({ state: 'ready', version: 1, lock_owner: 'worker-b' });
  });

  it('a worker transition needs the lease it names; an operator override cannot end a run under a live lease', async () => {
    const world = inMemory();
    const { workset, lease } = await leased(world);
    await expect(setState(world.lifecycle, { worksetId: workset.workset_id, state: 'in_progress', reason: 'r', actor: 'op', lease: { ...lease, owner: 'someone-else' } })).rejects.toBeInstanceOf(ConflictError);

    await setState(world.lifecycle, { worksetId: workset.workset_id, state: 'in_progress', reason: 'started', actor: 'worker-a', lease });
    await expect(overrideState(world.lifecycle, { worksetId: workset.workset_id, state: 'error', reason: 'stuck', actor: 'op' })).rejects.toBeInstanceOf(ConflictError);
    world.advance(601);
    expect(await overrideState(world.lifecycle, { worksetId: workset.workset_id, state: 'error', reason: 'stuck', actor: 'op', error_details: 'worker vanished' })).toMatchObject({
      state: 'error',
      error_details: 'worker vanished',
    });
  });

  it('progress sets the step and merges metrics without changing the state; a canceled run is told to stop', async () => {
    const world = inMemory();
    const { workset, lease } = await leased(world);
    await setState(world.lifecycle, { worksetId: workset.workset_id, state: 'in_progress', reason: 'started', actor: 'worker-a', lease });
    await recordProgress(world.lifecycle, { worksetId: workset.workset_id, lease, current_step: 'align', metrics: { reads: 10 } });
    const progressed = await recordProgress(world.lifecycle, { worksetId: workset.workset_id, lease, current_step: 'call', metrics: { variants: 5 } });
    expect(progressed).toMatchObject({ state: 'in_progress', version: 2, current_step: 'call', metrics: { reads: 10, variants: 5 } });

    await expect(recordProgress(world.lifecycle, { worksetId: workset.workset_id, lease: { ...lease, epoch: 0 } })).rejects.toBeInstanceOf(ConflictError);
    await cancelWorkset(world.lifecycle, { customerId: 'lab-1', worksetId: workset.workset_id, actor: 'lab-1' });
    const stopped = await conflict(recordProgress(world.lifecycle, { worksetId: workset.workset_id, lease, current_step: 'late' }));
    expect(stopped?.details).toMatchObject({ current_state: 'canceled' });
  });

  it('a transient failure schedules a retry after the backoff and ends the lease; a permanent one fails', async () => {
    const world = inMemory();
    const { workset, lease } = await leased(world);
    await setState(world.lifecycle, { worksetId: workset.workset_id, state: 'in_progress', reason: 'started', actor: 'worker-a', lease });
    const retry = await recordFailure(world.lifecycle, { worksetId: workset.workset_id, lease, actor: 'worker-a', error_details: 'spot reclaimed', error_category: 'transient', failed_step: 'align' });

    expect(retry.retry_scheduled).toBe(true);
    expect(retry.workset).toMatchObject({ state: 'retrying', retry_count: 1, retry_after: '2026-03-01T12:00:02.000Z', lock_owner: null, lease_epoch: 2, failed_step: 'align' });
    expect(world.sentinels(workset.control_prefix)).toEqual([]);
    expect((await world.worksets.history(workset.workset_id, { limit: 10 })).entries.at(-1)).toMatchObject({ to: 'retrying', error_category: 'transient' });

    world.advance(2);
    const { workset: again } = await acquireLease(world.lifecycle, { worksetId: workset.workset_id, owner: 'worker-b' });
    const next = { owner: 'worker-b', epoch: again.lease_epoch! };
    await setState(world.lifecycle, { worksetId: workset.workset_id, state: 'in_progress', reason: 'retry', actor: 'worker-b', lease: next });
    const failed = await recordFailure(world.lifecycle, { worksetId: workset.workset_id, lease: next, actor: 'worker-b', error_details: 'bad reference', error_category: 'configuration' });
    expect(failed).toMatchObject({ retry_scheduled: false, workset: { state: 'failed', retry_count: 2, retry_after: null } });
    expect(world.sentinels(workset.control_prefix)).toEqual(['daylily.error']);
  });

  it('a sentinel write that keeps failing flags the record; the next successful sync clears the flag', async () => {
    const world = inMemory();
    const { workset, lease } = await leased(world);
    world.bucket.fail = failing((operation, input) => operation === 'put' && input.object.key.endsWith('/daylily.in_progress'), { error: () => new StorageUnavailableError() });

    const started = await setState(world.lifecycle, { worksetId: workset.workset_id, state: 'in_progress', reason: 'started', actor: 'worker-a', lease });
    expect(started.sentinels).toEqual({ in_sync: false, pending: { state: 'in_progress', lock: true, since: '2026-03-01T12:00:00.000Z' } });
    expect(await world.record(workset.workset_id)).toMatchObject({ state: 'in_progress', sentinel_sync_pending: { state: 'in_progress' } });

    world.bucket.fail = undefined;
    const done = await setState(world.lifecycle, { worksetId: workset.workset_id, state: 'complete', reason: 'done', actor: 'worker-a', lease });
    expect(done.sentinels).toEqual({ in_sync: true });
    expect((await world.record(workset.workset_id))?.sentinel_sync_pending).toBeUndefined();
    expect(world.sentinels(workset.control_prefix)).toEqual(['daylily.complete', 'daylily.lock']);
  });

  it('a state write whose reply is lost is looked up: it landed, so the change carries on', async () => {
    const world = inMemory();
    const { workset, lease } = await leased(world);
    // The write lands, then the reply is lost (a timeout after DynamoDB applied it).
    class LostReply extends MemoryWorksetStore {
      override async changeState(change: StateChange, base: WorksetRecord): Promise<WriteOutcome> {
        await super.changeState(change, base);
        throw new StorageUnavailableError();
      }
    }
    const store = new LostReply();
    store.seedWorkset((await world.record(workset.workset_id))!);
    const deps = { ...world.lifecycle, worksets: store };

    const started = await setState(deps, { worksetId: workset.workset_id, state: 'in_progress', reason: 'started', actor: 'worker-a', lease });
    expect(started).toMatchObject({ state: 'in_progress', version: 2 });
    expect(world.sentinels(workset.control_prefix)).toEqual(['daylily.in_progress', 'daylily.lock']);
  });
});
