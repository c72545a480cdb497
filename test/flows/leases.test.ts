/** Leases on the in-memory stores: grant, re-acquire, takeover, heartbeat and release. */
import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError } from '../../lambdas/lib/errors.ts';
import { acquireLease, refreshLease, releaseLease } from '../../lambdas/lib/flows/lifecycle/leases.ts';
import { inMemory, START } from '../support/in-memory.ts';

const conflict = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error as ConflictError);

describe('leases', () => {
  it('grants a ready workset at epoch 1 and writes daylily.lock after the grant', async () => {
    const world = inMemory();
    const workset = world.seed();
    const answer = await acquireLease(world.lifecycle, { worksetId: workset.workset_id, owner: 'worker-a', leaseSeconds: 600 });

    expect(answer.granted).toBe(true);
    expect(answer.workset).toMatchObject({ state: 'ready', lock_owner: 'worker-a', lease_epoch: 1, lease_expires_at: '2026-03-01T12:10:00.000Z' });
    expect(world.sentinels(workset.control_prefix)).toEqual(['daylily.lock', 'daylily.ready']);
    expect(world.body(`${workset.control_prefix}daylily.lock`)).toBe(`${START}\tLocked by worker-a (lease_epoch 1)`);
  });

  it('the owner asking again keeps its epoch and extends the lease', async () => {
    const world = inMemory();
    const workset = world.seed();
    await acquireLease(world.lifecycle, { worksetId: workset.workset_id, owner: 'worker-a', leaseSeconds: 600 });
    world.advance(300);
    const again = await acquireLease(world.lifecycle, { worksetId: workset.workset_id, owner: 'worker-a', leaseSeconds: 600 });
    expect(again.granted).toBe(false);
    expect(again.workset).toMatchObject({ lease_epoch: 1, lease_expires_at: '2026-03-01T12:15:00.000Z' });
  });

  it('another owner is refused while the lease lives, and takes it over at a new epoch once it expired', async () => {
    const world = inMemory();
    const workset = world.seed();
    await acquireLease(world.lifecycle, { worksetId: workset.workset_id, owner: 'worker-a', leaseSeconds: 60 });
    const refused = await conflict(acquireLease(world.lifecycle, { worksetId: workset.workset_id, owner: 'worker-b' }));
    expect(refused).toBeInstanceOf(ConflictError);
    expect(refused?.details).toMatchObject({ lock_owner: 'worker-a', lease_epoch: 1 });

    world.advance(60);
    const takeover = await acquireLease(world.lifecycle, { worksetId: workset.workset_id, owner: 'worker-b' });
    expect(takeover.workset).toMatchObject({ lock_owner: 'worker-b', lease_epoch: 2 });
  });

  it('a retrying workset can be leased only after its backoff', async () => {
    const world = inMemory();
    const workset = world.seed({ state: 'retrying', extra: { retry_after: '2026-03-01T12:00:08.000Z' } });
    const early = await conflict(acquireLease(world.lifecycle, { worksetId: workset.workset_id, owner: 'w' }));
    expect(early?.message).toMatch(/can be leased after 2026-03-01T12:00:08.000Z/);
    world.advance(8);
    expect((await acquireLease(world.lifecycle, { worksetId: workset.workset_id, owner: 'w' })).granted).toBe(true);
  });

  it('a heartbeat extends the live lease; a stale epoch or an expired lease is told to stop', async () => {
    const world = inMemory();
    const workset = world.seed();
    await acquireLease(world.lifecycle, { worksetId: workset.workset_id, owner: 'worker-a', leaseSeconds: 60 });
    world.advance(30);
    const refreshed = await refreshLease(world.lifecycle, { worksetId: workset.workset_id, owner: 'worker-a', epoch: 1, leaseSeconds: 60 });
    expect(refreshed.lease_expires_at).toBe('2026-03-01T12:01:30.000Z');

    expect((await conflict(refreshLease(world.lifecycle, { worksetId: workset.workset_id, owner: 'worker-a', epoch: 0 })))?.message).toMatch(/stale/);
    world.advance(60);
    expect((await conflict(refreshLease(world.lifecycle, { worksetId: workset.workset_id, owner: 'worker-a', epoch: 1 })))?.message).toMatch(/expired/);
  });

  it('a release removes the lease and daylily.lock, keeping state and epoch; only the holder may release', async () => {
    const world = inMemory();
    const workset = world.seed();
    await acquireLease(world.lifecycle, { worksetId: workset.workset_id, owner: 'worker-a' });
    await expect(releaseLease(world.lifecycle, { worksetId: workset.workset_id, owner: 'worker-b' })).rejects.toBeInstanceOf(ConflictError);

    const released = await releaseLease(world.lifecycle, { worksetId: workset.workset_id, owner: 'worker-a', epoch: 1 });
    expect(released.released).toBe(true);
    expect(released.workset).toMatchObject({ state: 'ready', lock_owner: null, lease_epoch: 1 });
    expect(world.sentinels(workset.control_prefix)).toEqual(['daylily.ready']);
    // Nobody holds it now: releasing again is a no-op.
    expect((await releaseLease(world.lifecycle, { worksetId: workset.workset_id, owner: 'worker-a' })).released).toBe(false);
  });

  it('an unknown workset is not found', async () => {
    const world = inMemory();
    await expect(acquireLease(world.lifecycle, { worksetId: 'ws-missing', owner: 'w' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(refreshLease(world.lifecycle, { worksetId: 'ws-missing', owner: 'w', epoch: 1 })).rejects.toBeInstanceOf(NotFoundError);
  });
});
