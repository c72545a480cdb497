/**
 * The reconciler on the in-memory stores: each kind of drift, injected, is repaired by one pass,
 * and a second pass finds nothing; a dry run changes nothing; a pass reads only what can drift,
 * stops within its budget and resumes, and two passes at once repair each drift once.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONTROL_PREFIX } from '../../lambdas/lib/config/settings.ts';
import { REPAIR_KINDS, type RepairKind } from '../../lambdas/lib/domain/drift.ts';
import { REGISTRATION_GRACE_SECONDS } from '../../lambdas/lib/domain/registration.ts';
import { reconcile, type PassReport } from '../../lambdas/lib/flows/reconciler/reconcile.ts';
import { CONTROL_BUCKET, inMemory, type InMemoryWorld } from '../support/in-memory.ts';

/** Time for every seeded record to be out of the quiet window, and registrations past their grace. */
const settleDown = (world: InMemoryWorld) => world.advance(REGISTRATION_GRACE_SECONDS + 60);

const found = (report: PassReport): Partial<Record<RepairKind, number>> =>
  Object.fromEntries(REPAIR_KINDS.filter((kind) => report.kinds[kind].found > 0).map((kind) => [kind, report.kinds[kind].found]));
const repairedOf = (report: PassReport) => report.repairs.filter((entry) => entry.outcome === 'repaired').map((entry) => `${entry.kind} ${entry.target}`);

const put = (world: InMemoryWorld, key: string) => world.bucket.seedObject(CONTROL_BUCKET, { key, body: 'x', contentType: 'text/plain' });
const remove = (world: InMemoryWorld, key: string) => world.bucket.delete(CONTROL_BUCKET, [key]);

/** Two passes: the first repairs, the second must find nothing. */
async function twoPasses(world: InMemoryWorld): Promise<[PassReport, PassReport]> {
  const first = await reconcile(world.reconciler);
  world.advance(300);
  const second = await reconcile(world.reconciler);
  expect(found(second), 'the second pass').toEqual({});
  return [first, second];
}

describe('the reconciler repairs each kind of drift in one pass', () => {
  it('a deleted sentinel: the folder gets its state sentinel back', async () => {
    const world = inMemory();
    const ready = world.seed({ state: 'ready' });
    const running = world.seed({ state: 'in_progress', extra: { lock_owner: 'w', lease_epoch: 1, lease_expires_at: '2030-01-01T00:00:00.000Z' } });
    settleDown(world);
    await remove(world, `${ready.control_prefix}daylily.ready`);
    await remove(world, `${running.control_prefix}daylily.lock`);

    const [first] = await twoPasses(world);
    expect(found(first)).toEqual({ sentinels: 2 });
    expect(repairedOf(first).sort()).toEqual([`sentinels ${ready.workset_id}`, `sentinels ${running.workset_id}`].sort());
    expect(world.sentinels(ready.control_prefix)).toEqual(['daylily.ready']);
    expect(world.sentinels(running.control_prefix)).toEqual(['daylily.in_progress', 'daylily.lock']);
  });

  it('a deleted sentinel of a finished workset is found by its folder, which shows no state', async () => {
    const world = inMemory();
    const done = world.seed({ state: 'complete' });
    settleDown(world);
    await remove(world, `${done.control_prefix}daylily.complete`);
    const [first] = await twoPasses(world);
    expect(repairedOf(first)).toEqual([`sentinels ${done.workset_id}`]);
    expect(world.sentinels(done.control_prefix)).toEqual(['daylily.complete']);
  });

  it('a stray daylily.ready: withdrawn beside a finished state, and from a folder no record points at', async () => {
    const world = inMemory();
    const done = world.seed({ state: 'complete' });
    const orphan = `${DEFAULT_CONTROL_PREFIX}ws-gone0001/`;
    settleDown(world);
    put(world, `${done.control_prefix}daylily.ready`);
    put(world, `${orphan}daylily_work.yaml`);
    put(world, `${orphan}daylily.ready`);

    const [first] = await twoPasses(world);
    expect(found(first)).toEqual({ 'stray-ready': 2 });
    expect(world.sentinels(done.control_prefix)).toEqual(['daylily.complete']);
    expect(world.files(orphan)).toEqual(['daylily_work.yaml']);
  });

  it('a registration killed between daylily.ready and its flip: completed when keyed, rolled back when keyless', async () => {
    const world = inMemory();
    const keyed = world.seed({ state: 'registering', files: ['daylily_work.yaml', 'daylily_info.yaml', 'stage_samples.tsv', 'sample_data/.keep', 'daylily.ready'], extra: { version: 0, registration: { idempotency_key: 'lab-1#k1' } } });
    const keyless = world.seed({ state: 'registering', files: ['daylily_work.yaml', 'daylily_info.yaml', 'stage_samples.tsv', 'sample_data/.keep', 'daylily.ready'], extra: { version: 0, registration: {} } });
    settleDown(world);

    const [first] = await twoPasses(world);
    expect(first.repairs.filter((entry) => entry.kind === 'registration').map((entry) => `${entry.target} ${entry.action}`).sort()).toEqual(
      [`${keyed.workset_id} completed`, `${keyless.workset_id} rolled-back`].sort(),
    );
    expect(await world.record(keyed.workset_id)).toMatchObject({ state: 'ready' });
    expect(await world.record(keyless.workset_id)).toBeUndefined();
    expect(world.files(keyless.control_prefix)).toEqual([]);
  });

  it('a lease that expired mid-run: the run is recorded as a transient failure and its lease revoked', async () => {
    const world = inMemory();
    const running = world.seed({ state: 'in_progress', extra: { lock_owner: 'worker-dead', lease_epoch: 4, lease_expires_at: world.now().toISOString() } });
    settleDown(world);

    const [first] = await twoPasses(world);
    expect(first.repairs).toEqual([expect.objectContaining({ kind: 'expired-lease', target: running.workset_id, outcome: 'repaired', action: 'recovered (retrying)' })]);
    expect(await world.record(running.workset_id)).toMatchObject({ state: 'retrying', lease_epoch: 5, error_category: 'transient', retry_count: 1 });
    expect(await world.record(running.workset_id)).not.toHaveProperty('lock_owner');
    expect((await world.worksets.history(running.workset_id, { limit: 5 })).entries.at(-1)).toMatchObject({ actor: 'reconciler', to: 'retrying' });
  });

  it('a skewed counter: adjusted to the records, active states every pass and the others in turn', async () => {
    const world = inMemory();
    world.seed({ state: 'ready' });
    world.seed({ state: 'error' });
    world.worksets.skewCount('ready', 3);
    world.worksets.skewCount('error', -1);
    settleDown(world);

    // The rotation of the states that are not active starts with `complete`, then `error`.
    const first = await reconcile(world.reconciler);
    expect(first.repairs).toEqual([expect.objectContaining({ kind: 'queue-counter', target: 'ready', outcome: 'repaired', action: 'adjusted by -3' })]);
    expect((await world.worksets.queueStats()).queue_depth.ready).toBe(1);
    const second = await reconcile(world.reconciler);
    expect(second.repairs).toEqual([expect.objectContaining({ kind: 'queue-counter', target: 'error', outcome: 'repaired', action: 'adjusted by 1' })]);
    expect((await world.worksets.queueStats()).queue_depth.error).toBe(1);
  });

  it('a full recount adjusts every state in one pass', async () => {
    const world = inMemory();
    world.seed({ state: 'ready' });
    world.worksets.skewCount('ready', 1);
    world.worksets.skewCount('archived', 2);
    settleDown(world);
    const report = await reconcile(world.reconciler, { fullRecount: true });
    expect(report.repairs.map((entry) => entry.target).sort()).toEqual(['archived', 'ready']);
    expect((await world.worksets.queueStats()).total_worksets).toBe(1);
  });

  it("a skewed slot counter: too high, too low, and none while worksets hold slots, each set to the customer's worksets holding one", async () => {
    const world = inMemory();
    world.customers.addCustomer('lab-3');
    world.customers.addCustomer('lab-4');
    world.seed({ state: 'ready' });
    world.seed({ state: 'registering', extra: { registration: { idempotency_key: 'lab-1#k' } }, files: false });
    world.seed({ state: 'complete' });
    world.seed({ state: 'in_progress', customerId: 'lab-2', extra: { lock_owner: 'w', lease_epoch: 1, lease_expires_at: '2030-01-01T00:00:00.000Z' } });
    world.seed({ state: 'retrying', customerId: 'lab-2' });
    world.seed({ state: 'ready', customerId: 'lab-3' });
    world.seed({ state: 'ready', customerId: 'lab-3' });
    // lab-4's only workset ended since the last pass, which left a slot counted: none is active.
    const last = world.seed({ state: 'ready', customerId: 'lab-4' });
    world.worksets.skewSlots('lab-4', 1);
    const change = { worksetId: last.workset_id, from: 'ready' as const, to: 'canceled' as const, version: 1, at: world.now().toISOString(), entry: { from: 'ready' as const, to: 'canceled' as const, reason: 'canceled', actor: 'lab-4', at: world.now().toISOString() } };
    expect((await world.worksets.changeState({ ...change, history: [change.entry] }, last)).ok).toBe(true);
    await remove(world, `${last.control_prefix}daylily.ready`);
    put(world, `${last.control_prefix}daylily.error`);
    world.worksets.skewSlots('lab-1', 3);
    world.worksets.skewSlots('lab-2', -1);
    world.customers.dropSlotCounter('lab-3');
    settleDown(world);
    const usage = async (customerId: string) => (await world.customers.usage(customerId, '2026-03')).active_worksets;
    expect([await usage('lab-1'), await usage('lab-2'), await usage('lab-3'), await usage('lab-4')]).toEqual([5, 1, 0, 1]);

    const [first] = await twoPasses(world);
    expect(found(first)).toEqual({ 'quota-usage': 4 });
    expect(first.repairs.filter((entry) => entry.kind === 'quota-usage').sort((a, b) => a.target.localeCompare(b.target))).toEqual([
      { kind: 'quota-usage', target: 'lab-1', outcome: 'repaired', action: 'adjusted by -3', detail: 'counter 5, worksets holding a slot 2' },
      { kind: 'quota-usage', target: 'lab-2', outcome: 'repaired', action: 'adjusted by 1', detail: 'counter 1, worksets holding a slot 2' },
      { kind: 'quota-usage', target: 'lab-3', outcome: 'repaired', action: 'adjusted by 2', detail: 'counter none, worksets holding a slot 2' },
      { kind: 'quota-usage', target: 'lab-4', outcome: 'repaired', action: 'adjusted by -1', detail: 'counter 1, worksets holding a slot 0' },
    ]);
    expect([await usage('lab-1'), await usage('lab-2'), await usage('lab-3'), await usage('lab-4')]).toEqual([2, 2, 2, 0]);
  });

  it('a customer with no workset a pass reads, whose counter was left too high, is found on its turn through the directory', async () => {
    const world = inMemory();
    // 150 idle customers: a turn is QUOTA_TURN of them a pass, so the last ones wait for the second pass.
    const idle = Array.from({ length: 150 }, (_, index) => `idle-${String(index).padStart(3, '0')}`);
    for (const customerId of idle) world.customers.addCustomer(customerId);
    world.worksets.skewSlots('idle-000', 2);
    world.worksets.skewSlots('idle-149', 1);
    settleDown(world);
    const quota = (report: PassReport) => report.repairs.filter((entry) => entry.kind === 'quota-usage').map((entry) => `${entry.target} ${entry.action}`);

    expect(quota(await reconcile(world.reconciler))).toEqual(['idle-000 adjusted by -2']);
    world.advance(300);
    expect(quota(await reconcile(world.reconciler))).toEqual(['idle-149 adjusted by -1']);
    // The turn starts again from the first customer.
    world.worksets.skewSlots('idle-001', 1);
    world.advance(300);
    expect(quota(await reconcile(world.reconciler))).toEqual(['idle-001 adjusted by -1']);

    // --full-recount: every customer in one pass.
    world.worksets.skewSlots('idle-002', 1);
    world.worksets.skewSlots('idle-148', 1);
    world.advance(300);
    expect(quota(await reconcile(world.reconciler, { fullRecount: true })).sort()).toEqual(['idle-002 adjusted by -1', 'idle-148 adjusted by -1']);
    expect((await world.customers.usage('idle-148', '2026-03')).active_worksets).toBe(0);
  });

  it("a slot counter is left alone while another writer changes its customer's worksets, and set by a later pass", async () => {
    const world = inMemory();
    world.seed({ state: 'ready' });
    const other = world.seed({ state: 'ready', customerId: 'lab-2' });
    world.worksets.skewSlots('lab-1', 2);
    world.worksets.skewSlots('lab-2', 2);
    settleDown(world);
    // A live registration of lab-1's, 10 s before the pass: lab-1's counter waits; lab-2's does not.
    const registering = world.seed({ state: 'registering', extra: { version: 0, registration: { idempotency_key: 'lab-1#live' } }, files: false });
    await world.worksets.abandonRegistration(registering.workset_id);
    await world.worksets.beginRegistration({ ...registering, updated_at: world.now().toISOString() }, undefined, { limit: 1_000 });
    world.advance(10);
    const first = await reconcile(world.reconciler);
    expect(first.repairs.filter((entry) => entry.kind === 'quota-usage')).toEqual([expect.objectContaining({ target: other.customer_id, outcome: 'repaired', action: 'adjusted by -2' })]);
    expect((await world.customers.usage('lab-1', '2026-03')).active_worksets).toBe(4);

    world.advance(300);
    const later = await reconcile(world.reconciler);
    expect(later.repairs.filter((entry) => entry.kind === 'quota-usage')).toEqual([expect.objectContaining({ target: 'lab-1', outcome: 'repaired', action: 'adjusted by -2' })]);
    expect((await world.customers.usage('lab-1', '2026-03')).active_worksets).toBe(2);
  });

  it('a registration removed by its own failed request during the pass, which writes no change, gets no slot back', async () => {
    const world = inMemory();
    world.seed({ state: 'ready' });
    settleDown(world);
    // Within its grace period: the pass reads it, and leaves it to its own request.
    const failing = world.seed({ state: 'registering', extra: { version: 0, registration: {} }, files: false });
    world.worksets.fail = (operation) => (operation === 'counterShards' && void world.worksets.abandonRegistration(failing.workset_id), undefined);
    const report = await reconcile(world.reconciler);
    expect(await world.record(failing.workset_id)).toBeUndefined();
    expect(report.repairs.filter((entry) => entry.kind === 'quota-usage')).toEqual([]);
    expect((await world.customers.usage('lab-1', '2026-03')).active_worksets).toBe(1);
  });

  it('a slot fix refused because a slot moved after its counter was read: the counter keeps that move, and the next pass decides again', async () => {
    const world = inMemory();
    world.seed({ state: 'ready' });
    world.worksets.skewSlots('lab-1', 3);
    settleDown(world);
    // A take lands between the pass's read of the counter and its fix.
    world.worksets.fail = (operation) => (operation === 'adjustSlots' && world.worksets.skewSlots('lab-1', 1), undefined);
    const first = await reconcile(world.reconciler);
    expect(first.repairs).toEqual([expect.objectContaining({ kind: 'quota-usage', target: 'lab-1', outcome: 'found', action: 'changed meanwhile', detail: 'counter 4, worksets holding a slot 1' })]);
    expect((await world.customers.usage('lab-1', '2026-03')).active_worksets).toBe(5);
    world.worksets.fail = undefined;
    const second = await reconcile(world.reconciler);
    expect(second.repairs).toEqual([expect.objectContaining({ kind: 'quota-usage', outcome: 'repaired', action: 'adjusted by -4' })]);
  });

  it('a record flagged sentinel_sync_pending: its full plan applied and the flag cleared', async () => {
    const world = inMemory();
    const canceled = world.seed({ state: 'canceled', extra: { sentinel_sync_pending: { state: 'canceled', lock: false, since: world.now().toISOString() } } });
    put(world, `${canceled.control_prefix}daylily.in_progress`);
    settleDown(world);

    const [first] = await twoPasses(world);
    expect(repairedOf(first)).toEqual([`flagged ${canceled.workset_id}`]);
    expect(world.sentinels(canceled.control_prefix)).toEqual(['daylily.error']);
    expect(await world.record(canceled.workset_id)).not.toHaveProperty('sentinel_sync_pending');
  });

  it('a state change whose sync never ran: the recent change is looked at, whatever its folder shows', async () => {
    const world = inMemory();
    const done = world.seed({ state: 'complete' });
    settleDown(world);
    await reconcile(world.reconciler);
    // Deleted by its customer, the function dying before the sync: daylily.complete, no daylily.ignore.
    const change = { worksetId: done.workset_id, from: 'complete' as const, to: 'deleted' as const, version: 1, at: world.now().toISOString(), entry: { from: 'complete' as const, to: 'deleted' as const, reason: 'deleted', actor: 'lab-1', at: world.now().toISOString() } };
    await world.worksets.changeState({ ...change, history: [change.entry] }, done);
    world.advance(120);

    const [first] = await twoPasses(world);
    expect(repairedOf(first)).toEqual([`sentinels ${done.workset_id}`]);
    expect(world.sentinels(done.control_prefix)).toEqual(['daylily.ignore']);
  });
});

describe('a reconciler pass', () => {
  function drifted(): InMemoryWorld {
    const world = inMemory();
    const ready = world.seed({ state: 'ready' });
    world.seed({ state: 'in_progress', extra: { lock_owner: 'worker-dead', lease_epoch: 1, lease_expires_at: world.now().toISOString() } });
    world.seed({ state: 'registering', extra: { version: 0, registration: {} } });
    world.worksets.skewCount('ready', 2);
    world.worksets.skewSlots('lab-1', 2);
    settleDown(world);
    void remove(world, `${ready.control_prefix}daylily.ready`);
    return world;
  }

  it('in a dry run finds every drift and changes nothing, not even its cursor', async () => {
    const world = drifted();
    const before = { files: world.bucket.keys(CONTROL_BUCKET), stats: await world.worksets.queueStats(), cursor: await world.worksets.readCursor() };
    const report = await reconcile(world.reconciler, { dryRun: true });
    expect(found(report)).toEqual({ registration: 1, 'expired-lease': 1, sentinels: 1, 'queue-counter': 1, 'quota-usage': 1 });
    expect(report.repairs.every((entry) => entry.outcome === 'found')).toBe(true);
    expect({ files: world.bucket.keys(CONTROL_BUCKET), stats: await world.worksets.queueStats(), cursor: await world.worksets.readCursor() }).toEqual(before);
    expect((await world.customers.usage('lab-1', '2026-03')).active_worksets).toBe(5);
    expect(world.metrics).toEqual([]);
  });

  it('emits its metrics: drift found, repaired and failed by kind, and its duration', async () => {
    const world = drifted();
    await reconcile(world.reconciler);
    const [documents] = world.metrics;
    const byKind = Object.fromEntries(documents!.filter((document) => 'RepairKind' in document).map((document) => [document.RepairKind, [document.DriftFound, document.DriftRepaired, document.RepairsFailed]]));
    expect(byKind).toEqual({ registration: [1, 1, 0], 'expired-lease': [1, 1, 0], flagged: [0, 0, 0], sentinels: [1, 1, 0], 'stray-ready': [0, 0, 0], 'queue-counter': [1, 1, 0], 'quota-usage': [1, 1, 0] });
    const summary = documents!.find((document) => !('RepairKind' in document))!;
    expect(summary).toMatchObject({ PassDuration: expect.any(Number), PassIncomplete: 0, ActiveWorksetsRead: 3 });
    expect((summary._aws as { CloudWatchMetrics: Array<{ Namespace: string }> }).CloudWatchMetrics[0]!.Namespace).toBe('Daylily/Reconciler');
  });

  it('reads only what can drift: no record of a finished workset whose folder shows one state', async () => {
    const world = inMemory();
    const finished = Array.from({ length: 40 }, () => world.seed({ state: 'complete' }));
    world.seed({ state: 'ready' });
    settleDown(world);
    const read: string[] = [];
    world.worksets.fail = (operation, input) => {
      if (operation === 'getWorkset') read.push(input as string);
      if (operation === 'getWorksets') read.push(...(input as string[]));
      return undefined;
    };
    const report = await reconcile(world.reconciler);
    expect(report.read).toEqual({ active: 1, flagged: 0, changed: 0, folders: 41 });
    expect(read.filter((id) => finished.some((record) => record.workset_id === id))).toEqual([]);
  });

  it('leaves a record written in the last minute alone: its own sync may be in flight', async () => {
    const world = inMemory();
    const ready = world.seed({ state: 'ready' });
    await remove(world, `${ready.control_prefix}daylily.ready`);
    world.advance(10);
    expect(found(await reconcile(world.reconciler))).toEqual({});
    world.advance(60);
    expect(found(await reconcile(world.reconciler))).toEqual({ sentinels: 1 });
  });

  it('out of budget, stops and says so; the next pass resumes the folder scan where it stopped', async () => {
    const world = inMemory();
    const folders = Array.from({ length: 5 }, () => world.seed({ state: 'complete' }));
    settleDown(world);
    for (const record of folders) await remove(world, `${record.control_prefix}daylily.complete`);

    const cut = await reconcile(world.reconciler, { budgetMs: 0 });
    expect(cut.complete).toBe(false);
    expect(found(cut)).toEqual({});
    const resumed = await reconcile(world.reconciler);
    expect(resumed.complete).toBe(true);
    expect(found(resumed)).toEqual({ sentinels: 5 });
  });

  it('beside another pass: each drift is repaired once, the counters end exact', async () => {
    const world = drifted();
    const [a, b] = await Promise.all([reconcile(world.reconciler), reconcile(world.reconciler)]);
    const adjustments = [...a.repairs, ...b.repairs].filter((entry) => entry.kind === 'queue-counter' && entry.outcome === 'repaired');
    expect(adjustments.length).toBeLessThanOrEqual(1);
    expect([...a.repairs, ...b.repairs].filter((entry) => entry.kind === 'quota-usage' && entry.outcome === 'repaired').length).toBeLessThanOrEqual(1);
    world.advance(300);
    await reconcile(world.reconciler);
    const stats = await world.worksets.queueStats();
    expect(stats.queue_depth).toMatchObject({ ready: 1, retrying: 1, registering: 0 });
    // The rolled-back registration's slot given back once, by the rollback, not again by a recount.
    expect((await world.customers.usage('lab-1', '2026-03')).active_worksets).toBe(2);
    expect(found(await reconcile(world.reconciler))).toEqual({});
  });
});
