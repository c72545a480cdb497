/**
 * The worksets store's contract, one suite for every implementation (worksets-store.test.ts runs
 * it against the in-memory store and the DynamoDB adapter on DynamoDB Local). Each test gets a
 * fresh, empty store: listings by state, the queue and the counters span the whole table.
 */
import { beforeEach, afterEach, describe, expect, it } from 'vitest';
import { slotDelta } from '../../lambdas/lib/domain/customer.ts';
import { historyEntryId } from '../../lambdas/lib/domain/lifecycle.ts';
import { toWorksetDetail } from '../../lambdas/lib/domain/workset-detail.ts';
import { WORKSET_STATES, type HistoryEntry, type WorksetRecord, type WorksetState } from '../../lambdas/lib/domain/workset.ts';
import { COUNTER_SHARD_IDS } from '../../lambdas/lib/domain/queue-counters.ts';
import { InvalidInputError } from '../../lambdas/lib/errors.ts';
import { seededRecord } from '../support/workset-records.ts';
import { WorksetIdCollision, type IdempotencyRecord, type StateChange, type WorksetStore } from '../../lambdas/lib/ports/worksets.ts';

export interface WorksetStoreHarness {
  readonly store: WorksetStore;
  addCustomer(customerId: string): Promise<void>;
  /** Puts a record as it is, counted in the queue counters (a fixture, not a registration). */
  seed(record: WorksetRecord): Promise<void>;
  dispose?(): Promise<void>;
}

const T0 = Date.UTC(2026, 0, 1);
/** A fixed-precision timestamp `seconds` after the suite's epoch. */
const at = (seconds: number): string => new Date(T0 + seconds * 1000).toISOString();
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

let sequence = 0;

/** A workset record as registration would leave it once ready (version 1), with overrides. */
export function worksetRecord(overrides: Partial<WorksetRecord> = {}): WorksetRecord {
  sequence += 1;
  return seededRecord(
    { ...(overrides.state ? { state: overrides.state } : {}), ...(overrides.priority ? { priority: overrides.priority } : {}), extra: overrides },
    { bucket: 'control-bucket', controlPrefix: 'active/', worksetId: overrides.workset_id ?? `ws-${sequence.toString(16).padStart(8, '0')}`, now: overrides.created_at ?? at(sequence) },
  );
}

/** A `registering` record as the registration flow begins it (no version yet). */
function registeringRecord(overrides: Partial<WorksetRecord> = {}): WorksetRecord {
  const { version: _version, ...record } = worksetRecord({ state: 'registering', ...overrides });
  return { ...record, state_history: [{ from: null, to: 'registering', reason: 'Registration started', actor: 'lab-1', at: record.created_at }] };
}

function idempotencyRecord(key: string, worksetId: string, overrides: Partial<IdempotencyRecord> = {}): IdempotencyRecord {
  return { idempotency_key: key, request_hash: `hash-of-${key}`, workset_id: worksetId, expires_at: nowSeconds() + 86_400, ...overrides };
}

const entry = (from: WorksetState | null, to: WorksetState, when: string, extra: Partial<HistoryEntry> = {}): HistoryEntry => ({ from, to, reason: `${from} to ${to}`, actor: 'test', at: when, ...extra });

/** A state change decided on `record`, as the lifecycle's transition builds it (with room in the quota when it takes a slot). */
function changeOf(record: WorksetRecord, to: WorksetState, extra: Partial<StateChange> = {}): StateChange {
  const when = extra.at ?? at(10_000);
  const next = entry(record.state, to, when);
  return {
    worksetId: record.workset_id,
    from: record.state,
    to,
    version: record.version ?? 0,
    at: when,
    entry: next,
    history: [...record.state_history, next],
    ...(slotDelta(record.state, to) > 0 ? { slot: ROOM } : {}),
    ...extra,
  };
}

const depth = (counts: Partial<Record<WorksetState, number>>) => Object.fromEntries(WORKSET_STATES.map((state) => [state, counts[state] ?? 0]));

async function expectInvalidCursor(promise: Promise<unknown>): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InvalidInputError);
  expect((error as InvalidInputError).errors).toEqual([{ field: 'next_token', message: expect.any(String) }]);
}

/** A registration's slot claim with room to spare (the quota's own tests set their limits). */
const ROOM = { limit: 1_000 } as const;

/** Base64url JSON, the shape a forger would try. */
const forged = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

export function worksetStoreContract(name: string, create: () => Promise<WorksetStoreHarness>): void {
  describe(`the worksets store (${name})`, () => {
    let harness: WorksetStoreHarness;
    let store: WorksetStore;
    beforeEach(async () => {
      harness = await create();
      store = harness.store;
    });
    afterEach(async () => {
      await harness.dispose?.();
    });

    async function seeded(overrides: Partial<WorksetRecord> = {}): Promise<WorksetRecord> {
      const record = worksetRecord(overrides);
      await harness.seed(record);
      return record;
    }

    /** A record from before versions (or as registration begins one): no `version` attribute. */
    async function seededWithoutVersion(state: WorksetRecord['state']): Promise<WorksetRecord> {
      const { version: _version, ...record } = worksetRecord({ state });
      await harness.seed(record);
      return record;
    }

    /** Every page of a listing, following its cursors. */
    async function allPages<T>(page: (nextToken?: string) => Promise<{ items: readonly T[]; nextToken?: string }>): Promise<T[][]> {
      const pages: T[][] = [];
      let token: string | undefined;
      do {
        const answer = await page(token);
        pages.push([...answer.items]);
        token = answer.nextToken;
      } while (token && pages.length < 50);
      return pages;
    }

    describe('getWorkset', () => {
      it('answers the record as stored, and undefined for an unknown id', async () => {
        const record = await seeded({ metrics: { reads: 3 }, data_bucket: 'lab-data' });
        expect(await store.getWorkset(record.workset_id)).toEqual(record);
        expect(await store.getWorkset('ws-unknown')).toBeUndefined();
      });

      it('never answers a history or counter item: ids with # are not worksets', async () => {
        const record = await seeded();
        await store.changeState(changeOf(record, 'canceled'), record);
        expect(await store.getWorkset(`${record.workset_id}#history#${historyEntryId(2)}`)).toBeUndefined();
        expect(await store.getWorkset(COUNTER_SHARD_IDS[0]!)).toBeUndefined();
      });

      it('hands out copies: changing an answer or a written value changes nothing stored', async () => {
        const record = await seeded({ metrics: { reads: 3 } });
        const answer = (await store.getWorkset(record.workset_id)) as unknown as { metrics: Record<string, unknown>; state_history: HistoryEntry[] };
        answer.metrics.reads = 99;
        answer.state_history.push(entry('ready', 'failed', at(1)));
        const granted = await store.grantLease({ worksetId: record.workset_id, owner: 'w', now: at(20_000), expiresAt: at(30_000) });
        (granted as unknown as { record: { metrics: Record<string, unknown> } }).record.metrics.reads = 98;
        const change = changeOf(record, 'canceled', { set: { cluster_name: 'c1' } });
        await store.changeState(change, record);
        (change.set as Record<string, unknown>).cluster_name = 'changed later';
        const again = await store.getWorkset(record.workset_id);
        expect(again?.metrics).toEqual({ reads: 3 });
        expect(again?.state_history).toHaveLength(2);
        expect(again?.cluster_name).toBe('c1');
      });

      it('stores no attribute written as undefined; an update setting one to undefined is refused', async () => {
        await harness.addCustomer('lab-1');
        const record = { ...registeringRecord(), data_bucket: undefined, metrics: { reads: 1, skipped: undefined } };
        await store.beginRegistration(record, undefined, ROOM);
        const stored = (await store.getWorkset(record.workset_id))!;
        expect('data_bucket' in stored).toBe(false);
        expect(stored.metrics).toEqual({ reads: 1 });
        expect('skipped' in stored.metrics!).toBe(false);

        // DynamoDB has no undefined: an update expression naming one is invalid.
        await expect(store.changeState(changeOf(stored, 'deleted', { set: { deleted_at: undefined } }), stored)).rejects.toThrow();
        await expect(store.changeState(changeOf(stored, 'deleted', { metrics: { merge: { reads: undefined }, exists: true, keysAtMost: 100 } }), stored)).rejects.toThrow();
        expect(await store.getWorkset(record.workset_id)).toEqual(stored);
      });
    });

    describe('beginRegistration', () => {
      it('creates the registering record, its first history entry and its count', async () => {
        await harness.addCustomer('lab-1');
        const record = registeringRecord();
        expect(await store.beginRegistration(record, idempotencyRecord('lab-1#key-1', record.workset_id), ROOM)).toEqual({ kind: 'created' });

        expect(await store.getWorkset(record.workset_id)).toEqual(record);
        expect((await store.queueStats()).queue_depth).toEqual(depth({ registering: 1 }));
        expect((await store.history(record.workset_id, { limit: 10 })).entries).toEqual(record.state_history);
        expect(await store.getIdempotencyRecord('lab-1#key-1')).toEqual(idempotencyRecord('lab-1#key-1', record.workset_id, { expires_at: expect.any(Number) }));
      });

      it('answers unknown-customer and writes nothing when the customer does not exist', async () => {
        const record = registeringRecord({ customer_id: 'lab-nobody' });
        expect(await store.beginRegistration(record, idempotencyRecord('lab-nobody#k', record.workset_id), ROOM)).toEqual({ kind: 'unknown-customer' });
        expect(await store.getWorkset(record.workset_id)).toBeUndefined();
        expect(await store.getIdempotencyRecord('lab-nobody#k')).toBeUndefined();
        expect((await store.queueStats()).total_worksets).toBe(0);
      });

      it('answers key-in-use with the existing idempotency record, creating nothing', async () => {
        await harness.addCustomer('lab-1');
        const first = registeringRecord();
        const key = idempotencyRecord('lab-1#same', first.workset_id);
        await store.beginRegistration(first, key, ROOM);
        const second = registeringRecord();
        const answer = await store.beginRegistration(second, idempotencyRecord('lab-1#same', second.workset_id, { request_hash: 'other' }), ROOM);

        expect(answer).toEqual({ kind: 'key-in-use', existing: key });
        expect(await store.getWorkset(second.workset_id)).toBeUndefined();
        expect((await store.queueStats()).queue_depth.registering).toBe(1);
      });

      it("claims an expired key afresh (expires_at before the new registration's time no longer holds it)", async () => {
        await harness.addCustomer('lab-1');
        const first = registeringRecord();
        await store.beginRegistration(first, idempotencyRecord('lab-1#old', first.workset_id, { expires_at: nowSeconds() - 60 }), ROOM);
        const second = registeringRecord({ created_at: new Date().toISOString() });
        expect(await store.beginRegistration(second, idempotencyRecord('lab-1#old', second.workset_id), ROOM)).toEqual({ kind: 'created' });
        expect((await store.getIdempotencyRecord('lab-1#old'))?.workset_id).toBe(second.workset_id);
      });

      it('throws WorksetIdCollision for an existing id, overwriting nothing and claiming no key', async () => {
        await harness.addCustomer('lab-1');
        const existing = await seeded();
        const clash = registeringRecord({ workset_id: existing.workset_id });
        await expect(store.beginRegistration(clash, idempotencyRecord('lab-1#k2', clash.workset_id), ROOM)).rejects.toBeInstanceOf(WorksetIdCollision);
        expect(await store.getWorkset(existing.workset_id)).toEqual(existing);
        expect(await store.getIdempotencyRecord('lab-1#k2')).toBeUndefined();
        expect((await store.queueStats()).queue_depth).toEqual(depth({ ready: 1 }));
      });

      it('registers without an idempotency key', async () => {
        await harness.addCustomer('lab-1');
        const record = registeringRecord();
        expect(await store.beginRegistration(record, undefined, ROOM)).toEqual({ kind: 'created' });
        expect((await store.getWorkset(record.workset_id))?.state).toBe('registering');
      });
    });

    describe('completeRegistration', () => {
      async function begun(key?: string): Promise<WorksetRecord> {
        await harness.addCustomer('lab-1');
        const record = registeringRecord();
        await store.beginRegistration(record, key ? idempotencyRecord(key, record.workset_id) : undefined, ROOM);
        return record;
      }
      const readyEntry = (_record: WorksetRecord) => entry('registering', 'ready', at(20_000), { reason: 'Control folder written' });

      it('flips registering to ready at version 1, appends the entry, stores the answer and moves the count', async () => {
        const record = await begun('lab-1#k');
        const ready = { ...record, state: 'ready' as const, state_history: [...record.state_history, readyEntry(record)] };
        const answer = toWorksetDetail(ready);
        expect(await store.completeRegistration({ worksetId: record.workset_id, customerId: record.customer_id, at: at(20_000), entry: readyEntry(record), withdrawals: undefined, idempotency: { key: 'lab-1#k', answer } })).toBe(true);

        expect(await store.getWorkset(record.workset_id)).toEqual({ ...ready, version: 1, updated_at: at(20_000) });
        // Replayed byte for byte once rendered.
        expect(JSON.stringify((await store.getIdempotencyRecord('lab-1#k'))?.answer)).toBe(JSON.stringify(answer));
        expect((await store.queueStats()).queue_depth).toEqual(depth({ ready: 1 }));
        expect((await store.history(record.workset_id, { limit: 10 })).entries).toEqual([...record.state_history, readyEntry(record)]);
      });

      it('is refused once the record is no longer registering', async () => {
        const record = await begun();
        const input = { worksetId: record.workset_id, customerId: record.customer_id, at: at(20_000), entry: readyEntry(record), withdrawals: undefined };
        expect(await store.completeRegistration(input)).toBe(true);
        expect(await store.completeRegistration({ ...input, at: at(30_000) })).toBe(false);
        expect((await store.getWorkset(record.workset_id))?.updated_at).toBe(at(20_000));
        expect((await store.queueStats()).queue_depth).toEqual(depth({ ready: 1 }));
        expect(await store.completeRegistration({ ...input, worksetId: 'ws-missing' })).toBe(false);
      });

      it('is refused when daylily.ready was withdrawn since the count it read', async () => {
        const record = await begun();
        await store.fenceReadyWithdrawal(record.workset_id);
        const input = { worksetId: record.workset_id, customerId: record.customer_id, at: at(20_000), entry: readyEntry(record) };
        expect(await store.completeRegistration({ ...input, withdrawals: undefined })).toBe(false);
        expect(await store.completeRegistration({ ...input, withdrawals: 0 })).toBe(false);
        expect((await store.getWorkset(record.workset_id))?.state).toBe('registering');
        expect(await store.completeRegistration({ ...input, withdrawals: 1 })).toBe(true);
      });

      it('throws, flipping nothing, when the idempotency record it should answer vanished', async () => {
        const record = await begun();
        const answer = toWorksetDetail(record);
        await expect(
          store.completeRegistration({ worksetId: record.workset_id, customerId: record.customer_id, at: at(20_000), entry: readyEntry(record), withdrawals: undefined, idempotency: { key: 'lab-1#gone', answer } }),
        ).rejects.toThrow();
        expect((await store.getWorkset(record.workset_id))?.state).toBe('registering');
        expect((await store.queueStats()).queue_depth).toEqual(depth({ registering: 1 }));
      });

      it('throws, flipping nothing, when the key now names another workset (claimed afresh after its window)', async () => {
        await harness.addCustomer('lab-1');
        const record = registeringRecord();
        await store.beginRegistration(record, undefined, ROOM);
        const other = registeringRecord();
        await store.beginRegistration(other, idempotencyRecord('lab-1#reused', other.workset_id), ROOM);
        const answer = toWorksetDetail(record);
        await expect(
          store.completeRegistration({ worksetId: record.workset_id, customerId: record.customer_id, at: at(20_000), entry: entry('registering', 'ready', at(20_000)), withdrawals: undefined, idempotency: { key: 'lab-1#reused', answer } }),
        ).rejects.toThrow();
        expect((await store.getWorkset(record.workset_id))?.state).toBe('registering');
        expect((await store.getIdempotencyRecord('lab-1#reused'))?.answer).toBeUndefined();
      });
    });

    describe('fenceReadyWithdrawal and abandonRegistration', () => {
      it('counts withdrawals while registering, changing neither version nor updated_at', async () => {
        await harness.addCustomer('lab-1');
        const record = registeringRecord();
        await store.beginRegistration(record, undefined, ROOM);
        expect(await store.fenceReadyWithdrawal(record.workset_id)).toEqual({ ...record, ready_withdrawals: 1 });
        expect((await store.fenceReadyWithdrawal(record.workset_id))?.ready_withdrawals).toBe(2);
        expect(await store.getWorkset(record.workset_id)).toEqual({ ...record, ready_withdrawals: 2 });
      });

      it('fences nothing once the record is not registering, or gone', async () => {
        const ready = await seeded();
        expect(await store.fenceReadyWithdrawal(ready.workset_id)).toBeUndefined();
        expect(await store.getWorkset(ready.workset_id)).toEqual(ready);
        expect(await store.fenceReadyWithdrawal('ws-missing')).toBeUndefined();
      });

      it('abandons a registering record with its count; refuses any other', async () => {
        await harness.addCustomer('lab-1');
        const record = registeringRecord();
        await store.beginRegistration(record, undefined, ROOM);
        const ready = await seeded();
        expect(await store.abandonRegistration(ready.workset_id)).toBe(false);
        expect(await store.abandonRegistration(record.workset_id)).toBe(true);
        expect(await store.abandonRegistration(record.workset_id)).toBe(false);
        expect(await store.getWorkset(record.workset_id)).toBeUndefined();
        expect(await store.getWorkset(ready.workset_id)).toEqual(ready);
        expect((await store.queueStats()).queue_depth).toEqual(depth({ ready: 1 }));
      });
    });

    describe('grantLease', () => {
      const grant = (worksetId: string, owner: string, now: string, extra: { expiresAt?: string; classify?: boolean } = {}) =>
        store.grantLease({ worksetId, owner, now, expiresAt: extra.expiresAt ?? at(3600), ...(extra.classify === undefined ? {} : { classify: extra.classify }) });

      it('grants an unleased ready workset: owner, expiry, acquisition time, epoch + 1, metrics {}, updated_at', async () => {
        const record = await seeded();
        const outcome = await grant(record.workset_id, 'worker-a', at(100), { expiresAt: at(700) });
        const expected = { ...record, lock_owner: 'worker-a', lease_expires_at: at(700), lock_acquired_at: at(100), lease_epoch: 1, metrics: {}, updated_at: at(100) };
        expect(outcome).toEqual({ ok: true, record: expected });
        expect(await store.getWorkset(record.workset_id)).toEqual(expected);
      });

      it('keeps existing metrics and counts the epoch on from a released lease', async () => {
        const record = await seeded({ lease_epoch: 4, metrics: { reads: 7 } });
        const outcome = await grant(record.workset_id, 'worker-a', at(100));
        expect(outcome.ok && outcome.record).toMatchObject({ lease_epoch: 5, metrics: { reads: 7 } });
      });

      it('refuses while another lease is live, answering the record (or nothing unclassified)', async () => {
        const record = await seeded();
        await grant(record.workset_id, 'worker-a', at(100), { expiresAt: at(700) });
        const refused = await grant(record.workset_id, 'worker-b', at(699));
        expect(refused).toEqual({ ok: false, current: expect.objectContaining({ lock_owner: 'worker-a', lease_epoch: 1 }) });
        expect(await grant(record.workset_id, 'worker-b', at(699), { classify: false })).toEqual({ ok: false, current: undefined });
        expect((await store.getWorkset(record.workset_id))?.lock_owner).toBe('worker-a');
      });

      it('takes over a lease once it expired (at its expiry time)', async () => {
        const record = await seeded();
        await grant(record.workset_id, 'worker-a', at(100), { expiresAt: at(700) });
        const outcome = await grant(record.workset_id, 'worker-b', at(700), { expiresAt: at(1300) });
        expect(outcome.ok && outcome.record).toMatchObject({ lock_owner: 'worker-b', lease_epoch: 2, lease_expires_at: at(1300), lock_acquired_at: at(700) });
      });

      it('grants retrying only from its retry_after on, and retrying without one at once', async () => {
        const waiting = await seeded({ state: 'retrying', retry_after: at(500) });
        const due = await seeded({ state: 'retrying' });
        expect((await grant(waiting.workset_id, 'w', at(499))).ok).toBe(false);
        expect((await grant(waiting.workset_id, 'w', at(500))).ok).toBe(true);
        expect((await grant(due.workset_id, 'w', at(0))).ok).toBe(true);
      });

      it('refuses other states and unknown worksets', async () => {
        for (const state of ['registering', 'in_progress', 'complete', 'canceled', 'archived', 'deleted'] as const) {
          const record = await seeded({ state });
          expect(await grant(record.workset_id, 'w', at(100))).toEqual({ ok: false, current: record });
        }
        expect(await grant('ws-missing', 'w', at(100))).toEqual({ ok: false, current: undefined });
        expect(await grant('ws-x#history#0000000001', 'w', at(100))).toEqual({ ok: false, current: undefined });
      });
    });

    describe('renewLease', () => {
      async function leased(overrides: Partial<WorksetRecord> = {}) {
        return seeded({ lock_owner: 'worker-a', lease_epoch: 3, lease_expires_at: at(700), lock_acquired_at: at(100), ...overrides });
      }
      const renew = (worksetId: string, extra: Partial<{ owner: string; epoch: number; now: string; states: WorksetState[] }> = {}) =>
        store.renewLease({ worksetId, owner: 'worker-a', epoch: 3, now: at(600), expiresAt: at(1200), states: ['ready', 'in_progress'], ...extra });

      it('extends the live lease of its owner at its epoch', async () => {
        const record = await leased();
        expect(await renew(record.workset_id)).toEqual({ ok: true, record: { ...record, lease_expires_at: at(1200), updated_at: at(600) } });
      });

      it('refuses another owner, another epoch, an expired lease and a state outside the list', async () => {
        const record = await leased();
        expect(await renew(record.workset_id, { owner: 'worker-b' })).toEqual({ ok: false, current: record });
        expect((await renew(record.workset_id, { epoch: 2 })).ok).toBe(false);
        expect((await renew(record.workset_id, { now: at(700) })).ok).toBe(false);
        expect((await renew(record.workset_id, { states: ['in_progress'] })).ok).toBe(false);
        expect(await store.getWorkset(record.workset_id)).toEqual(record);
        expect(await renew('ws-missing')).toEqual({ ok: false, current: undefined });
      });
    });

    describe('releaseLease', () => {
      it('removes the lease fields, keeping the epoch and the state', async () => {
        const record = await seeded({ state: 'in_progress', lock_owner: 'worker-a', lease_epoch: 3, lease_expires_at: at(700), lock_acquired_at: at(100) });
        const { lock_owner: _o, lease_expires_at: _e, lock_acquired_at: _a, ...unleased } = record;
        expect(await store.releaseLease({ worksetId: record.workset_id, owner: 'worker-a', epoch: 3, at: at(200) })).toEqual({ ok: true, record: { ...unleased, updated_at: at(200) } });
        expect(await store.getWorkset(record.workset_id)).toEqual({ ...unleased, updated_at: at(200) });
      });

      it('without an epoch, releases its owner’s lease at any epoch', async () => {
        const record = await seeded({ lock_owner: 'worker-a', lease_epoch: 9, lease_expires_at: at(700) });
        expect((await store.releaseLease({ worksetId: record.workset_id, owner: 'worker-a', at: at(200) })).ok).toBe(true);
      });

      it('refuses another owner, a stale epoch, and a lease nobody holds', async () => {
        const record = await seeded({ lock_owner: 'worker-a', lease_epoch: 3, lease_expires_at: at(700) });
        expect(await store.releaseLease({ worksetId: record.workset_id, owner: 'worker-b', at: at(200) })).toEqual({ ok: false, current: record });
        expect((await store.releaseLease({ worksetId: record.workset_id, owner: 'worker-a', epoch: 2, at: at(200) })).ok).toBe(false);
        const unleased = await seeded({ lease_epoch: 3 });
        expect(await store.releaseLease({ worksetId: unleased.workset_id, owner: 'worker-a', at: at(200) })).toEqual({ ok: false, current: unleased });
      });
    });

    describe('recordProgress', () => {
      const lease = { owner: 'worker-a', epoch: 2 };
      async function running(overrides: Partial<WorksetRecord> = {}) {
        return seeded({ state: 'in_progress', version: 3, lock_owner: 'worker-a', lease_epoch: 2, lease_expires_at: at(700), metrics: { reads: 1, qc: { depth: 30 } }, ...overrides });
      }

      it('sets the progress fields and merges metrics one level, leaving state and version alone', async () => {
        const record = await running();
        const outcome = await store.recordProgress({
          worksetId: record.workset_id,
          lease,
          at: at(300),
          set: { current_step: 'align', cluster_name: 'c1' },
          metrics: { merge: { samples: 4, qc: { coverage: 0.9 } }, keysAtMost: 100 },
          states: ['in_progress'],
        });
        const expected = { ...record, current_step: 'align', cluster_name: 'c1', updated_at: at(300), metrics: { reads: 1, samples: 4, qc: { coverage: 0.9 } } };
        expect(outcome).toEqual({ ok: true, record: expected });
        expect(await store.getWorkset(record.workset_id)).toEqual(expected);
      });

      it('creates metrics on a record without them, and leaves them alone when none are sent', async () => {
        const { metrics: _m, ...bare } = worksetRecord({ state: 'in_progress', lock_owner: 'worker-a', lease_epoch: 2, lease_expires_at: at(700) });
        await harness.seed(bare);
        const first = await store.recordProgress({ worksetId: bare.workset_id, lease, at: at(300), set: {}, metrics: { merge: { reads: 5 }, keysAtMost: 100 }, states: ['in_progress'] });
        expect(first.ok && first.record.metrics).toEqual({ reads: 5 });
        const second = await store.recordProgress({ worksetId: bare.workset_id, lease, at: at(301), set: { current_step: 'call' }, states: ['in_progress'] });
        expect(second.ok && second.record).toMatchObject({ metrics: { reads: 5 }, current_step: 'call', updated_at: at(301) });
      });

      it('is fenced by owner, epoch and state', async () => {
        const record = await running();
        const write = (extra: object) => store.recordProgress({ worksetId: record.workset_id, lease, at: at(300), set: { current_step: 'x' }, states: ['in_progress'], ...extra });
        expect(await write({ lease: { owner: 'worker-a', epoch: 1 } })).toEqual({ ok: false, current: record });
        expect((await write({ lease: { owner: 'worker-b', epoch: 2 } })).ok).toBe(false);
        expect((await write({ states: ['ready'] })).ok).toBe(false);
        expect(await store.getWorkset(record.workset_id)).toEqual(record);
        expect((await store.recordProgress({ worksetId: 'ws-missing', lease, at: at(300), set: {}, states: ['in_progress'] })).ok).toBe(false);
      });
    });

    describe('changeState', () => {
      it('writes state, version, updated_at, history, set and remove; one history item; the counters move', async () => {
        const record = await seeded({ state: 'in_progress', version: 4, current_step: 'align', cluster_name: 'c1' });
        const change = changeOf(record, 'complete', { set: { finished_at: at(9_000) }, remove: ['current_step', 'not_there'] });
        const outcome = await store.changeState(change, record);
        const { current_step: _s, ...rest } = record;
        const expected = { ...rest, state: 'complete', version: 5, updated_at: change.at, state_history: change.history, finished_at: at(9_000) };

        expect(outcome).toEqual({ ok: true, record: expected });
        expect(await store.getWorkset(record.workset_id)).toEqual(expected);
        expect((await store.history(record.workset_id, { limit: 10 })).entries).toEqual([change.entry]);
        expect((await store.queueStats()).queue_depth).toEqual(depth({ complete: 1 }));
      });

      it('version 0 matches a record without a version, and a record at version 0', async () => {
        const { version: _v, ...versionless } = worksetRecord({ state: 'registering' });
        await harness.seed(versionless);
        const zero = await seeded({ version: 0, state: 'canceled' });
        expect((await store.changeState(changeOf(versionless, 'deleted'), versionless)).ok).toBe(true);
        expect((await store.changeState(changeOf(zero, 'ready'), zero)).ok).toBe(true);
        expect((await store.getWorkset(versionless.workset_id))?.version).toBe(1);
        expect((await store.history(versionless.workset_id, { limit: 5 })).entries).toHaveLength(1);
      });

      it('is refused on another state or version, answering the record and writing nothing', async () => {
        const record = await seeded({ version: 2 });
        expect(await store.changeState(changeOf(record, 'canceled', { version: 1 }), record)).toEqual({ ok: false, current: record });
        expect(await store.changeState(changeOf({ ...record, state: 'retrying' }, 'canceled'), record)).toEqual({ ok: false, current: record });
        expect(await store.changeState(changeOf(record, 'canceled', { worksetId: 'ws-missing' }), record)).toEqual({ ok: false, current: undefined });
        expect((await store.history(record.workset_id, { limit: 5 })).entries).toEqual([]);
        expect((await store.queueStats()).queue_depth).toEqual(depth({ ready: 1 }));
      });

      it('with a lease, only its holder at its epoch may write', async () => {
        const record = await seeded({ state: 'in_progress', lock_owner: 'worker-a', lease_epoch: 2, lease_expires_at: at(700) });
        expect((await store.changeState(changeOf(record, 'complete', { lease: { owner: 'worker-a', epoch: 1 } }), record)).ok).toBe(false);
        expect((await store.changeState(changeOf(record, 'complete', { lease: { owner: 'worker-b', epoch: 2 } }), record)).ok).toBe(false);
        const outcome = await store.changeState(changeOf(record, 'complete', { lease: { owner: 'worker-a', epoch: 2 } }), record);
        expect(outcome.ok && outcome.record).toMatchObject({ state: 'complete', lock_owner: 'worker-a', lease_epoch: 2 });
      });

      it('revoking the lease removes its fields and moves the epoch on', async () => {
        const record = await seeded({ state: 'error', lock_owner: 'worker-a', lease_epoch: 2, lease_expires_at: at(700), lock_acquired_at: at(100) });
        const outcome = await store.changeState(changeOf(record, 'ready', { revokeLease: true }), record);
        const stored = (await store.getWorkset(record.workset_id))!;
        expect(outcome).toEqual({ ok: true, record: stored });
        expect(stored).toMatchObject({ state: 'ready', lease_epoch: 3 });
        expect(['lock_owner', 'lease_expires_at', 'lock_acquired_at'].filter((name) => name in stored)).toEqual([]);
        const unleased = await seeded({ state: 'canceled' });
        const first = await store.changeState(changeOf(unleased, 'ready', { revokeLease: true }), unleased);
        expect(first.ok && first.record.lease_epoch).toBe(1);
      });

      it('noLiveLeaseAt: refused while a lease is live, allowed once it expired or without one', async () => {
        const record = await seeded({ state: 'in_progress', lock_owner: 'worker-a', lease_epoch: 1, lease_expires_at: at(700) });
        expect((await store.changeState(changeOf(record, 'error', { noLiveLeaseAt: at(699) }), record)).ok).toBe(false);
        expect((await store.changeState(changeOf(record, 'error', { noLiveLeaseAt: at(700) }), record)).ok).toBe(true);
        const unleased = await seeded({ state: 'in_progress' });
        expect((await store.changeState(changeOf(unleased, 'error', { noLiveLeaseAt: at(0) }), unleased)).ok).toBe(true);
      });

      it('with a customer, only that customer’s workset changes', async () => {
        const record = await seeded({ customer_id: 'lab-2' });
        expect(await store.changeState(changeOf(record, 'canceled', { customerId: 'lab-1' }), record)).toEqual({ ok: false, current: record });
        expect((await store.changeState(changeOf(record, 'canceled', { customerId: 'lab-2' }), record)).ok).toBe(true);
      });

      it('merges metrics one level into the map as read, and is refused when that read is out of date', async () => {
        const withMetrics = await seeded({ state: 'in_progress', metrics: { reads: 1, qc: { a: 1 } } });
        const outcome = await store.changeState(changeOf(withMetrics, 'complete', { metrics: { merge: { qc: { b: 2 }, samples: 3 }, exists: true, keysAtMost: 100 } }), withMetrics);
        expect(outcome.ok && outcome.record.metrics).toEqual({ reads: 1, qc: { b: 2 }, samples: 3 });
        expect((await store.getWorkset(withMetrics.workset_id))?.metrics).toEqual({ reads: 1, qc: { b: 2 }, samples: 3 });

        const { metrics: _m, ...bare } = worksetRecord({ state: 'in_progress' });
        await harness.seed(bare);
        // Decided on a record with metrics that has none: a progress write did not create them.
        expect((await store.changeState(changeOf(bare, 'complete', { metrics: { merge: { x: 1 }, exists: true, keysAtMost: 100 } }), bare)).ok).toBe(false);
        const created = await store.changeState(changeOf(bare, 'complete', { metrics: { merge: { x: 1 }, exists: false, keysAtMost: 100 } }), bare);
        expect(created.ok && created.record.metrics).toEqual({ x: 1 });
        // Decided on "no metrics" after a progress write created them.
        const raced = await seeded({ state: 'in_progress', metrics: { y: 1 } });
        expect((await store.changeState(changeOf(raced, 'complete', { metrics: { merge: { x: 1 }, exists: false, keysAtMost: 100 } }), raced)).ok).toBe(false);
      });

      it('refuses an update that names an attribute twice', async () => {
        const record = await seeded({ state: 'canceled' });
        await expect(store.changeState(changeOf(record, 'ready', { set: { retry_count: 0 }, remove: ['retry_count'] }), record)).rejects.toThrow();
        expect(await store.getWorkset(record.workset_id)).toEqual(record);
      });
    });

    describe('slots (a customer\'s active-workset quota)', () => {
      it('takes a slot with each registration, and refuses one past the limit, naming the usage and writing nothing', async () => {
        await harness.addCustomer('lab-q');
        const [first, second, third] = [registeringRecord({ customer_id: 'lab-q' }), registeringRecord({ customer_id: 'lab-q' }), registeringRecord({ customer_id: 'lab-q' })];
        expect(await store.beginRegistration(first!, undefined, { limit: 2 })).toEqual({ kind: 'created' });
        expect(await store.beginRegistration(second!, undefined, { limit: 2 })).toEqual({ kind: 'created' });
        expect(await store.beginRegistration(third!, idempotencyRecord('lab-q#k', third!.workset_id), { limit: 2 })).toEqual({ kind: 'quota-exceeded', usage: 2 });
        expect(await store.getWorkset(third!.workset_id)).toBeUndefined();
        expect(await store.getIdempotencyRecord('lab-q#k')).toBeUndefined();
        // A lower limit than the usage refuses too (an operator lowered it).
        expect(await store.beginRegistration(third!, undefined, { limit: 1 })).toEqual({ kind: 'quota-exceeded', usage: 2 });
        expect((await store.queueStats()).queue_depth.registering).toBe(2);
      });

      it('answers a key in use before a full quota: its first request already holds its slot', async () => {
        await harness.addCustomer('lab-q');
        const record = registeringRecord({ customer_id: 'lab-q' });
        await store.beginRegistration(record, idempotencyRecord('lab-q#again', record.workset_id), { limit: 1 });
        const retry = registeringRecord({ customer_id: 'lab-q' });
        expect(await store.beginRegistration(retry, idempotencyRecord('lab-q#again', retry.workset_id), { limit: 1 })).toMatchObject({ kind: 'key-in-use' });
      });

      it('releases a slot with the change that ends a run, and takes one with a change back into a slot state, within the limit', async () => {
        await harness.addCustomer('lab-q');
        const running = registeringRecord({ customer_id: 'lab-q' });
        await store.beginRegistration(running, undefined, { limit: 1 });
        expect(await store.completeRegistration({ worksetId: running.workset_id, customerId: 'lab-q', at: at(20_000), entry: entry('registering', 'ready', at(20_000)), withdrawals: undefined })).toBe(true);
        const ready = (await store.getWorkset(running.workset_id))!;
        // Full: a second registration is refused.
        expect(await store.beginRegistration(registeringRecord({ customer_id: 'lab-q' }), undefined, { limit: 1 })).toMatchObject({ kind: 'quota-exceeded', usage: 1 });
        const canceled = await store.changeState(changeOf(ready, 'canceled'), ready);
        expect(canceled.ok).toBe(true);
        // Freed: one registration fits again, and then the canceled workset cannot come back.
        expect(await store.beginRegistration(registeringRecord({ customer_id: 'lab-q' }), undefined, { limit: 1 })).toEqual({ kind: 'created' });
        const record = (await store.getWorkset(running.workset_id))!;
        const refused = await store.changeState(changeOf(record, 'ready', { slot: { limit: 1 } }), record);
        expect(refused).toMatchObject({ ok: false, current: { state: 'canceled' }, slot: { kind: 'quota-exceeded', usage: 1 } });
        expect(await store.getWorkset(running.workset_id)).toEqual(record);
        expect(await store.changeState(changeOf(record, 'ready', { slot: { limit: 2 } }), record)).toMatchObject({ ok: true, record: { state: 'ready' } });
      });

      it('never lets a release block the change that ends a run, and never takes a slot unasked', async () => {
        // A workset whose customer holds no counter yet (an item from before quotas).
        const record = await seeded({ customer_id: 'lab-untracked', state: 'in_progress' });
        expect(await store.changeState(changeOf(record, 'error'), record)).toMatchObject({ ok: true });
        const back = (await store.getWorkset(record.workset_id))!;
        const { slot: _slot, ...withoutQuota } = changeOf(back, 'ready');
        await expect(store.changeState(withoutQuota, back)).rejects.toThrow(/takes a slot/);
      });
    });

    describe('markSentinels', () => {
      const pending = { state: 'complete' as const, lock: false, since: at(50) };

      it('flags and clears the record at its version, without changing version or updated_at', async () => {
        const record = await seeded({ state: 'complete', version: 3 });
        await store.markSentinels({ worksetId: record.workset_id, version: 3, pending });
        expect(await store.getWorkset(record.workset_id)).toEqual({ ...record, sentinel_sync_pending: pending });
        await store.markSentinels({ worksetId: record.workset_id, version: 3, pending: undefined });
        expect(await store.getWorkset(record.workset_id)).toEqual(record);
      });

      it('leaves a record that moved on to another version (or is gone) alone', async () => {
        const record = await seeded({ state: 'complete', version: 3 });
        await store.markSentinels({ worksetId: record.workset_id, version: 2, pending });
        await store.markSentinels({ worksetId: 'ws-missing', version: 1, pending });
        await store.markSentinels({ worksetId: 'ws-missing', version: 0, pending });
        expect(await store.getWorkset(record.workset_id)).toEqual(record);
        expect(await store.getWorkset('ws-missing')).toBeUndefined();
      });

      it('version 0 matches a record without a version; another version does not', async () => {
        const versionless = await seededWithoutVersion('complete');
        await store.markSentinels({ worksetId: versionless.workset_id, version: 1, pending });
        expect(await store.getWorkset(versionless.workset_id)).toEqual(versionless);
        await store.markSentinels({ worksetId: versionless.workset_id, version: 0, pending });
        expect(await store.getWorkset(versionless.workset_id)).toEqual({ ...versionless, sentinel_sync_pending: pending });
      });
    });

    describe('removeRecord', () => {
      it('removes a deleted record at its version with its count; its history stays readable', async () => {
        const record = await seeded({ state: 'complete', version: 2 });
        await store.changeState(changeOf(record, 'deleted'), record);
        expect(await store.removeRecord({ worksetId: record.workset_id, version: 2 })).toBe(false);
        expect(await store.removeRecord({ worksetId: record.workset_id, version: 3 })).toBe(true);
        expect(await store.getWorkset(record.workset_id)).toBeUndefined();
        expect((await store.queueStats()).total_worksets).toBe(0);
        expect((await store.history(record.workset_id, { limit: 5 })).entries.map((item) => item.to)).toEqual(['deleted']);
        expect(await store.removeRecord({ worksetId: record.workset_id, version: 3 })).toBe(false);
      });

      it('refuses a record that is not deleted', async () => {
        const record = await seeded({ state: 'complete', version: 2 });
        expect(await store.removeRecord({ worksetId: record.workset_id, version: 2 })).toBe(false);
        expect(await store.getWorkset(record.workset_id)).toEqual(record);
        expect((await store.queueStats()).queue_depth).toEqual(depth({ complete: 1 }));
      });

      it('version 0 matches a deleted record without a version; another version does not', async () => {
        const versionless = await seededWithoutVersion('deleted');
        expect(await store.removeRecord({ worksetId: versionless.workset_id, version: 1 })).toBe(false);
        expect(await store.removeRecord({ worksetId: versionless.workset_id, version: 0 })).toBe(true);
        expect(await store.getWorkset(versionless.workset_id)).toBeUndefined();
      });
    });

    describe('claimMove and releaseMove', () => {
      const claim = (token: string, expiresAt: string) => ({ to: 'archive/x/', token, expires_at: expiresAt });

      it('claims at the record’s version without changing it; a live claim refuses another', async () => {
        const record = await seeded({ state: 'complete', version: 2 });
        const outcome = await store.claimMove({ worksetId: record.workset_id, version: 2, claim: claim('t1', at(900)), now: at(0) });
        expect(outcome).toEqual({ ok: true, record: { ...record, move_claim: claim('t1', at(900)) } });
        const refused = await store.claimMove({ worksetId: record.workset_id, version: 2, claim: claim('t2', at(950)), now: at(899) });
        expect(refused).toEqual({ ok: false, current: { ...record, move_claim: claim('t1', at(900)) } });
      });

      it('takes over an expired claim; refuses another version', async () => {
        const record = await seeded({ state: 'complete', version: 2, move_claim: claim('t1', at(900)) });
        expect((await store.claimMove({ worksetId: record.workset_id, version: 1, claim: claim('t2', at(2000)), now: at(1000) })).ok).toBe(false);
        const outcome = await store.claimMove({ worksetId: record.workset_id, version: 2, claim: claim('t2', at(2000)), now: at(900) });
        expect(outcome.ok && outcome.record.move_claim).toEqual(claim('t2', at(2000)));
        expect(await store.claimMove({ worksetId: 'ws-missing', version: 0, claim: claim('t3', at(2000)), now: at(0) })).toEqual({ ok: false, current: undefined });
      });

      it('version 0 matches a record without a version; another version does not', async () => {
        const versionless = await seededWithoutVersion('complete');
        expect((await store.claimMove({ worksetId: versionless.workset_id, version: 1, claim: claim('t1', at(900)), now: at(0) })).ok).toBe(false);
        const outcome = await store.claimMove({ worksetId: versionless.workset_id, version: 0, claim: claim('t1', at(900)), now: at(0) });
        expect(outcome).toEqual({ ok: true, record: { ...versionless, move_claim: claim('t1', at(900)) } });
      });

      it('releases only its own claim', async () => {
        const record = await seeded({ state: 'complete', move_claim: claim('t1', at(900)) });
        await store.releaseMove({ worksetId: record.workset_id, token: 't2' });
        expect((await store.getWorkset(record.workset_id))?.move_claim).toEqual(claim('t1', at(900)));
        await store.releaseMove({ worksetId: record.workset_id, token: 't1' });
        expect(await store.getWorkset(record.workset_id)).toEqual((({ move_claim: _c, ...rest }) => rest)(record));
        await store.releaseMove({ worksetId: 'ws-missing', token: 't1' });
        expect(await store.getWorkset('ws-missing')).toBeUndefined();
      });
    });

    describe('listWorksets', () => {
      it('lists one customer’s worksets newest first, narrowed by state and priority', async () => {
        const oldest = await seeded({ created_at: at(1) });
        const urgent = await seeded({ created_at: at(2), priority: 'urgent', state: 'complete' });
        const newest = await seeded({ created_at: at(3) });
        await seeded({ customer_id: 'lab-2', created_at: at(4) });

        const ids = async (filter: object) => (await store.listWorksets({ customerId: 'lab-1', limit: 10, ...filter })).items.map((item) => item.workset_id);
        expect(await ids({})).toEqual([newest, urgent, oldest].map((record) => record.workset_id));
        expect(await ids({ state: 'ready' })).toEqual([newest, oldest].map((record) => record.workset_id));
        expect(await ids({ priority: 'urgent' })).toEqual([urgent.workset_id]);
        expect((await store.listWorksets({ customerId: 'lab-1', limit: 10 })).items[1]).toEqual(urgent);
        expect(await store.listWorksets({ customerId: 'lab-nobody', limit: 10 })).toEqual({ items: [] });
      });

      it('pages a customer’s worksets by limit, every one exactly once; a full last page still carries a cursor to an empty one', async () => {
        const records = [];
        for (let i = 0; i < 4; i += 1) records.push(await seeded({ created_at: at(i) }));
        const pages = await allPages((nextToken) => store.listWorksets({ customerId: 'lab-1', limit: 2, ...(nextToken ? { nextToken } : {}) }));
        expect(pages.map((page) => page.map((item) => item.workset_id))).toEqual([
          [records[3]!.workset_id, records[2]!.workset_id],
          [records[1]!.workset_id, records[0]!.workset_id],
          [],
        ]);
        const five = await allPages((nextToken) => store.listWorksets({ customerId: 'lab-1', limit: 3, ...(nextToken ? { nextToken } : {}) }));
        expect(five.map((page) => page.length)).toEqual([3, 1]);
      });

      it('ends a page early once its records reach maxBytes, resuming after the last one returned, every workset exactly once', async () => {
        const records = [];
        for (let i = 0; i < 6; i += 1) records.push(await seeded({ created_at: at(i), metrics: { padding: 'x'.repeat(200), i } }));
        const size = JSON.stringify(records[0]).length;
        const byCustomer = await allPages((nextToken) => store.listWorksets({ customerId: 'lab-1', limit: 10, maxBytes: size * 2 + 10, ...(nextToken ? { nextToken } : {}) }));
        expect(byCustomer.map((page) => page.length)).toEqual([2, 2, 2]);
        expect(byCustomer.flat().map((item) => item.workset_id)).toEqual([...records].reverse().map((record) => record.workset_id));
        const byState = await allPages((nextToken) => store.listWorksets({ state: 'ready', limit: 10, maxBytes: size * 4 + 10, ...(nextToken ? { nextToken } : {}) }));
        expect(byState.map((page) => page.length)).toEqual([4, 2]);
        expect(byState.flat().map((item) => item.workset_id)).toEqual(records.map((record) => record.workset_id));
        // A page always makes progress, however large one record is.
        expect((await store.listWorksets({ customerId: 'lab-1', limit: 10, maxBytes: 1 })).items).toHaveLength(1);
      });

      it('a filtered customer page evaluates only what the page still needs: short pages, then the rest', async () => {
        for (let i = 0; i < 5; i += 1) await seeded({ created_at: at(i), state: i % 2 === 0 ? 'ready' : 'complete' });
        const pages = await allPages((nextToken) => store.listWorksets({ customerId: 'lab-1', state: 'complete', limit: 2, ...(nextToken ? { nextToken } : {}) }));
        expect(pages.flat().map((item) => item.state)).toEqual(['complete', 'complete']);
        expect(pages.flat().map((item) => item.created_at)).toEqual([at(3), at(1)]);
      });

      it('lists one state in queue order: urgent, normal, low, oldest first inside a priority', async () => {
        const low = await seeded({ priority: 'low', created_at: at(0) });
        const normalNew = await seeded({ created_at: at(5) });
        const normalOld = await seeded({ created_at: at(1) });
        const urgent = await seeded({ priority: 'urgent', created_at: at(9) });
        await seeded({ state: 'complete', priority: 'urgent', created_at: at(0) });

        const page = await store.listWorksets({ state: 'ready', limit: 10 });
        expect(page.items.map((item) => item.workset_id)).toEqual([urgent, normalOld, normalNew, low].map((record) => record.workset_id));
        expect(page.nextToken).toBeUndefined();
        const normal = await store.listWorksets({ state: 'ready', priority: 'normal', limit: 10 });
        expect(normal.items.map((item) => item.workset_id)).toEqual([normalOld, normalNew].map((record) => record.workset_id));
      });

      it('without a state, lists state after state in WORKSET_STATES order, paging across states', async () => {
        const complete = await seeded({ state: 'complete', created_at: at(0) });
        const ready2 = await seeded({ state: 'ready', created_at: at(2) });
        const ready1 = await seeded({ state: 'ready', created_at: at(1) });
        const deleted = await seeded({ state: 'deleted', created_at: at(0) });
        const registering = await seeded({ state: 'registering', created_at: at(3) });
        const expected = [registering, ready1, ready2, complete, deleted].map((record) => record.workset_id);

        const whole = await store.listWorksets({ limit: 20 });
        expect(whole.items.map((item) => item.workset_id)).toEqual(expected);
        const pages = await allPages((nextToken) => store.listWorksets({ limit: 2, ...(nextToken ? { nextToken } : {}) }));
        expect(pages.flat().map((item) => item.workset_id)).toEqual(expected);
        expect(pages.every((page) => page.length <= 2)).toBe(true);
        const urgentOnly = await store.listWorksets({ priority: 'urgent', limit: 20 });
        expect(urgentOnly.items).toEqual([]);
      });

      it('pages one state with a round-tripped cursor', async () => {
        const records = [];
        for (let i = 0; i < 5; i += 1) records.push(await seeded({ state: 'failed', created_at: at(i) }));
        const pages = await allPages((nextToken) => store.listWorksets({ state: 'failed', limit: 2, ...(nextToken ? { nextToken } : {}) }));
        expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
        expect(pages.flat()).toEqual(records);
      });

      it('refuses a cursor it did not issue for this listing with InvalidInputError on next_token', async () => {
        for (let i = 0; i < 3; i += 1) {
          await seeded({ created_at: at(i) });
          await seeded({ customer_id: 'lab-2', created_at: at(i) });
        }
        const lab2 = (await store.listWorksets({ customerId: 'lab-2', limit: 1 })).nextToken!;
        const readyCursor = (await store.listWorksets({ state: 'ready', limit: 1 })).nextToken!;
        expect(lab2).toEqual(expect.any(String));
        expect(readyCursor).toEqual(expect.any(String));

        await expectInvalidCursor(store.listWorksets({ customerId: 'lab-1', limit: 2, nextToken: lab2 }));
        await expectInvalidCursor(store.listWorksets({ customerId: 'lab-1', limit: 2, nextToken: readyCursor }));
        await expectInvalidCursor(store.listWorksets({ state: 'ready', limit: 2, nextToken: lab2 }));
        await expectInvalidCursor(store.listWorksets({ state: 'complete', limit: 2, nextToken: readyCursor }));
        for (const garbage of ['not a cursor!', 'bm90LWpzb24', forged({}), forged([]), forged({ workset_id: 1 }), forged('ready')]) {
          await expectInvalidCursor(store.listWorksets({ customerId: 'lab-1', limit: 2, nextToken: garbage }));
          await expectInvalidCursor(store.listWorksets({ state: 'ready', limit: 2, nextToken: garbage }));
          await expectInvalidCursor(store.listWorksets({ limit: 2, nextToken: garbage }));
        }
        // The cursors still work where they were issued.
        expect((await store.listWorksets({ customerId: 'lab-2', limit: 5, nextToken: lab2 })).items).toHaveLength(2);
        expect((await store.listWorksets({ limit: 10, nextToken: readyCursor })).items).toHaveLength(5);
      });
    });

    describe('queueCandidates', () => {
      const candidate = ({ workset_id, queue_order, state }: WorksetRecord) => ({ workset_id, queue_order, state });
      const queued = async (state: 'ready' | 'retrying', now = at(500)) => (await store.queueCandidates({ state, now, limit: 10 })).items.map((item) => item.workset_id);

      it('answers the unleased candidates of one state in queue order, with only id, queue_order and state', async () => {
        const urgent = await seeded({ priority: 'urgent', created_at: at(5), metrics: { a: 1 } });
        const normal = await seeded({ created_at: at(3) });
        const leased = await seeded({ priority: 'urgent', created_at: at(1), lock_owner: 'w', lease_epoch: 1, lease_expires_at: at(1000) });
        // A lease that ran out is found through expiredLeases, not the queue.
        const expired = await seeded({ created_at: at(2), lock_owner: 'w', lease_epoch: 1, lease_expires_at: at(500) });
        await seeded({ state: 'complete' });

        const answer = await store.queueCandidates({ state: 'ready', now: at(500), limit: 10 });
        expect(answer).toEqual({ items: [urgent, normal].map(candidate) });
        expect(answer.items.map((item) => item.workset_id)).not.toEqual(expect.arrayContaining([leased.workset_id, expired.workset_id]));
      });

      it('answers retrying ones only from their retry_after on', async () => {
        const due = await seeded({ state: 'retrying', created_at: at(1), retry_after: at(100) });
        const waiting = await seeded({ state: 'retrying', created_at: at(0), retry_after: at(101) });
        const noBackoff = await seeded({ state: 'retrying', created_at: at(2) });
        const ids = await queued('retrying', at(100));
        expect(ids).toEqual([due.workset_id, noBackoff.workset_id]);
        expect(ids).not.toContain(waiting.workset_id);
      });

      it('pages with lastKey, leased worksets costing nothing: the limit counts claimable ones only', async () => {
        const records = [];
        for (let i = 0; i < 4; i += 1) {
          records.push(await seeded({ created_at: at(i), ...(i % 2 === 0 ? { lock_owner: 'w', lease_epoch: 1, lease_expires_at: at(9_999) } : {}) }));
        }
        const pages: string[][] = [];
        let startKey: Record<string, unknown> | undefined;
        do {
          const answer = await store.queueCandidates({ state: 'ready', now: at(100), limit: 1, ...(startKey ? { startKey } : {}) });
          pages.push(answer.items.map((item) => item.workset_id));
          startKey = answer.lastKey;
        } while (startKey && pages.length < 10);
        expect(pages).toEqual([[records[1]!.workset_id], [records[3]!.workset_id], []]);
      });

      it('follows the lease: a grant takes a workset out of the queue, a release before it started puts it back', async () => {
        const record = await seeded({ created_at: at(1) });
        expect(await queued('ready')).toEqual([record.workset_id]);
        expect((await store.grantLease({ worksetId: record.workset_id, owner: 'w', now: at(10), expiresAt: at(1000) })).ok).toBe(true);
        expect(await queued('ready')).toEqual([]);
        expect((await store.releaseLease({ worksetId: record.workset_id, owner: 'w', at: at(20) })).ok).toBe(true);
        expect(await queued('ready')).toEqual([record.workset_id]);
        expect(await store.getWorkset(record.workset_id)).not.toHaveProperty('claimable');
      });

      it('follows the state: a run that starts leaves it, a failure (lease revoked) brings it back as retrying, a ready flip adds it', async () => {
        await harness.addCustomer('lab-1');
        const running = await seeded({ state: 'in_progress', created_at: at(1), lock_owner: 'w', lease_epoch: 1, lease_expires_at: at(1000) });
        expect(await queued('retrying')).toEqual([]);
        const failed = await store.changeState(changeOf(running, 'retrying', { revokeLease: true }), running);
        expect(failed.ok).toBe(true);
        expect(await queued('retrying', at(20_000))).toEqual([running.workset_id]);

        const fresh = registeringRecord({ created_at: at(2) });
        await store.beginRegistration(fresh, undefined, ROOM);
        expect(await queued('ready')).toEqual([]);
        await store.completeRegistration({ worksetId: fresh.workset_id, customerId: fresh.customer_id, at: at(50), entry: entry('registering', 'ready', at(50)), withdrawals: undefined });
        expect(await queued('ready')).toEqual([fresh.workset_id]);
        const ready = (await store.getWorkset(fresh.workset_id))!;
        expect((await store.changeState(changeOf(ready, 'canceled'), ready)).ok).toBe(true);
        expect(await queued('ready')).toEqual([]);
      });
    });

    describe('expiredLeases', () => {
      const expiredIds = async (now: string) => (await store.expiredLeases({ now, limit: 10 })).map((lease) => lease.workset_id);

      it('answers the leases that ran out on live worksets, longest-expired first, and no others', async () => {
        const ready = await seeded({ created_at: at(1), lock_owner: 'a', lease_epoch: 2, lease_expires_at: at(100) });
        const running = await seeded({ state: 'in_progress', created_at: at(2), lock_owner: 'b', lease_epoch: 1, lease_expires_at: at(50) });
        await seeded({ created_at: at(3), lock_owner: 'c', lease_epoch: 1, lease_expires_at: at(1000) });
        await seeded({ state: 'complete', created_at: at(4), lock_owner: 'd', lease_epoch: 1, lease_expires_at: at(10) });
        await seeded({ created_at: at(5) });

        expect(await store.expiredLeases({ now: at(100), limit: 10 })).toEqual([
          { workset_id: running.workset_id, queue_order: running.queue_order, state: 'in_progress', lock_owner: 'b', lease_expires_at: at(50) },
          { workset_id: ready.workset_id, queue_order: ready.queue_order, state: 'ready', lock_owner: 'a', lease_expires_at: at(100) },
        ]);
        expect(await store.expiredLeases({ now: at(100), limit: 1 })).toHaveLength(1);
        expect(await expiredIds(at(99))).toEqual([running.workset_id]);
      });

      it('follows the lease: a renewal moves its expiry, a release or a finished run drops it', async () => {
        const record = await seeded({ created_at: at(1) });
        await store.grantLease({ worksetId: record.workset_id, owner: 'w', now: at(10), expiresAt: at(100) });
        expect(await expiredIds(at(100))).toEqual([record.workset_id]);
        await store.renewLease({ worksetId: record.workset_id, owner: 'w', epoch: 1, now: at(50), expiresAt: at(200), states: ['ready'] });
        expect(await expiredIds(at(100))).toEqual([]);
        expect(await expiredIds(at(200))).toEqual([record.workset_id]);
        await store.releaseLease({ worksetId: record.workset_id, owner: 'w', at: at(60) });
        expect(await expiredIds(at(300))).toEqual([]);

        const running = await seeded({ state: 'in_progress', created_at: at(2), lock_owner: 'w', lease_epoch: 1, lease_expires_at: at(100) });
        expect(await expiredIds(at(300))).toEqual([running.workset_id]);
        await store.changeState(changeOf(running, 'complete', { lease: { owner: 'w', epoch: 1 } }), running);
        expect(await expiredIds(at(300))).toEqual([]);
      });
    });

    describe('queueStats', () => {
      it('answers every state with zeros in an empty store', async () => {
        expect(await store.queueStats()).toEqual({
          queue_depth: depth({}),
          total_worksets: 0,
          ready_worksets: 0,
          in_progress_worksets: 0,
          error_worksets: 0,
          retrying_worksets: 0,
        });
      });

      it('stays exact through registration, abandonment, state changes and removal', async () => {
        await harness.addCustomer('lab-1');
        const kept = registeringRecord();
        const dropped = registeringRecord();
        await store.beginRegistration(kept, undefined, ROOM);
        await store.beginRegistration(dropped, undefined, ROOM);
        await seeded({ state: 'error' });
        await seeded({ state: 'retrying' });
        expect((await store.queueStats()).queue_depth).toEqual(depth({ registering: 2, error: 1, retrying: 1 }));

        await store.abandonRegistration(dropped.workset_id);
        await store.completeRegistration({ worksetId: kept.workset_id, customerId: kept.customer_id, at: at(50), entry: entry('registering', 'ready', at(50)), withdrawals: undefined });
        const ready = (await store.getWorkset(kept.workset_id))!;
        await store.changeState(changeOf(ready, 'in_progress'), ready);
        const running = (await store.getWorkset(kept.workset_id))!;
        await store.changeState(changeOf(running, 'in_progress', { version: 99 }), running); // refused: counts nothing
        expect(await store.queueStats()).toEqual({
          queue_depth: depth({ in_progress: 1, error: 1, retrying: 1 }),
          total_worksets: 3,
          ready_worksets: 0,
          in_progress_worksets: 1,
          error_worksets: 1,
          retrying_worksets: 1,
        });

        await store.changeState(changeOf(running, 'canceled'), running);
        const canceled = (await store.getWorkset(kept.workset_id))!;
        await store.changeState(changeOf(canceled, 'deleted'), canceled);
        expect((await store.queueStats()).queue_depth).toEqual(depth({ deleted: 1, error: 1, retrying: 1 }));
        await store.removeRecord({ worksetId: kept.workset_id, version: 4 });
        expect((await store.queueStats()).queue_depth).toEqual(depth({ error: 1, retrying: 1 }));
      });
    });

    describe('history', () => {
      async function lived(): Promise<{ record: WorksetRecord; entries: HistoryEntry[] }> {
        await harness.addCustomer('lab-1');
        const record = registeringRecord();
        await store.beginRegistration(record, undefined, ROOM);
        const entries = [record.state_history[0]!, entry('registering', 'ready', at(1))];
        await store.completeRegistration({ worksetId: record.workset_id, customerId: record.customer_id, at: at(1), entry: entries[1]!, withdrawals: undefined });
        let current = (await store.getWorkset(record.workset_id))!;
        for (const [to, extra] of [['in_progress', {}], ['retrying', { error_category: 'transient' as const }], ['in_progress', {}], ['complete', {}]] as const) {
          const change = changeOf(current, to, { at: at(entries.length), entry: entry(current.state, to, at(entries.length), extra) });
          await store.changeState(change, current);
          entries.push(change.entry);
          current = (await store.getWorkset(record.workset_id))!;
        }
        return { record, entries };
      }

      it('answers every entry oldest first, error_category included, registration’s as versions 0 and 1', async () => {
        const { record, entries } = await lived();
        const page = await store.history(record.workset_id, { limit: 20 });
        expect(page).toEqual({ entries });
        expect(page.entries[0]).toEqual({ from: null, to: 'registering', reason: 'Registration started', actor: 'lab-1', at: record.created_at });
        expect(page.entries[3]).toMatchObject({ to: 'retrying', error_category: 'transient' });
      });

      it('pages with a round-tripped cursor; a foreign or forged cursor is an InvalidInputError', async () => {
        const { record, entries } = await lived();
        const pages = await allPages(async (nextToken) => {
          const page = await store.history(record.workset_id, { limit: 4, ...(nextToken ? { nextToken } : {}) });
          return { items: page.entries, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
        });
        expect(pages.map((page) => page.length)).toEqual([4, 2]);
        expect(pages.flat()).toEqual(entries);

        const other = await seeded({ state: 'ready', version: 5 });
        await store.changeState(changeOf(other, 'canceled'), other);
        const first = await store.history(record.workset_id, { limit: 1 });
        await expectInvalidCursor(store.history(other.workset_id, { limit: 1, nextToken: first.nextToken! }));
        await expectInvalidCursor(store.history(record.workset_id, { limit: 1, nextToken: 'garbage' }));
        await expectInvalidCursor(store.history(record.workset_id, { limit: 1, nextToken: forged({ history_of: record.workset_id }) }));
        const listing = (await store.listWorksets({ limit: 1 })).nextToken;
        if (listing) await expectInvalidCursor(store.history(record.workset_id, { limit: 1, nextToken: listing }));
      });

      it('is empty for a workset without history', async () => {
        expect(await store.history('ws-never', { limit: 5 })).toEqual({ entries: [] });
      });
    });

    describe('reconciliation', () => {
      it('changesSince answers the state changes of a window as the events they publish, in time order, across hours, a page at a time', async () => {
        await harness.addCustomer('lab-1');
        const record = registeringRecord({ created_at: at(10), updated_at: at(10) });
        await store.beginRegistration({ ...record, state_history: [{ ...record.state_history[0]!, at: at(10) }] }, undefined, ROOM);
        await store.completeRegistration({ worksetId: record.workset_id, customerId: 'lab-1', at: at(4_000), entry: entry('registering', 'ready', at(4_000)), withdrawals: undefined });
        const ready = (await store.getWorkset(record.workset_id))!;
        await store.changeState(changeOf(ready, 'canceled', { at: at(8_000), entry: entry('ready', 'canceled', at(8_000), { actor: 'lab-1' }) }), ready);
        const other = await seeded({ customer_id: 'lab-2', version: 4 });
        await store.changeState(changeOf(other, 'ignored', { at: at(9_500), entry: entry('ready', 'ignored', at(9_500)) }), other);

        const pages = await allPages(async (startKey) => {
          const page = await store.changesSince({ since: at(0), until: at(9_000), limit: 2, ...(startKey ? { startKey } : {}) });
          return { items: page.items, ...(page.nextKey ? { nextToken: page.nextKey } : {}) };
        });
        expect(pages.flat()).toEqual([
          { schema_version: 1, event_id: `${record.workset_id}:0`, workset_id: record.workset_id, customer_id: 'lab-1', from: null, to: 'registering', reason: 'Registration started', actor: 'lab-1', time: at(10), version: 0 },
          { schema_version: 1, event_id: `${record.workset_id}:1`, workset_id: record.workset_id, customer_id: 'lab-1', from: 'registering', to: 'ready', reason: 'registering to ready', actor: 'test', time: at(4_000), version: 1 },
          { schema_version: 1, event_id: `${record.workset_id}:2`, workset_id: record.workset_id, customer_id: 'lab-1', from: 'ready', to: 'canceled', reason: 'ready to canceled', actor: 'lab-1', time: at(8_000), version: 2 },
        ]);
        expect(pages.every((page) => page.length <= 2)).toBe(true);
        const later = await store.changesSince({ since: at(4_000), until: at(10_000), limit: 10 });
        expect(later.items.map((change) => `${change.event_id} ${change.customer_id}`)).toEqual([`${record.workset_id}:1 lab-1`, `${record.workset_id}:2 lab-1`, `${other.workset_id}:5 lab-2`]);
        expect(later.nextKey).toBeUndefined();
        // A window that ends before it starts holds nothing.
        expect(await store.changesSince({ since: at(9_000), until: at(0), limit: 10 })).toEqual({ items: [] });
      });

      it('flaggedRecords finds the records flagged for sentinel repair, and not once the flag is cleared or a state change wrote a new plan', async () => {
        const pending = { state: 'complete' as const, lock: false, since: at(50) };
        const cleared = await seeded({ state: 'complete', version: 3 });
        const changed = await seeded({ state: 'complete', version: 3 });
        const kept = await seeded({ state: 'complete', version: 3 });
        for (const record of [cleared, changed, kept]) await store.markSentinels({ worksetId: record.workset_id, version: 3, pending });
        expect((await store.flaggedRecords({ limit: 10 })).items.map((record) => record.workset_id).sort()).toEqual([cleared, changed, kept].map((record) => record.workset_id).sort());
        expect((await store.flaggedRecords({ limit: 10 })).items[0]).toHaveProperty('sentinel_sync_pending', pending);

        await store.markSentinels({ worksetId: cleared.workset_id, version: 3, pending: undefined });
        const flagged = (await store.getWorkset(changed.workset_id))!;
        await store.changeState(changeOf(flagged, 'archived', { remove: ['sentinel_sync_pending'] }), flagged);
        const pages = await allPages(async (startKey) => {
          const page = await store.flaggedRecords({ limit: 1, ...(startKey ? { startKey } : {}) });
          return { items: page.items, ...(page.nextKey ? { nextToken: page.nextKey } : {}) };
        });
        expect(pages.flat().map((record) => record.workset_id)).toEqual([kept.workset_id]);
        expect(await store.getWorkset(changed.workset_id)).not.toHaveProperty('sentinel_sync_pending');
      });

      it('getWorksets reads several records at once, leaving out those that do not exist', async () => {
        const records = await Promise.all([seeded(), seeded({ state: 'complete' })]);
        const answer = await store.getWorksets([records[1]!.workset_id, 'ws-missing', records[0]!.workset_id, '#queue-stats#00', records[0]!.workset_id]);
        expect(answer.sort((a, b) => a.workset_id.localeCompare(b.workset_id))).toEqual([...records].sort((a, b) => a.workset_id.localeCompare(b.workset_id)));
        expect(await store.getWorksets([])).toEqual([]);
      });

      it('countInState counts the records, whatever the counters say', async () => {
        await Promise.all([seeded(), seeded(), seeded({ state: 'complete' })]);
        expect(await store.countInState('ready')).toBe(2);
        expect(await store.countInState('complete')).toBe(1);
        expect(await store.countInState('failed')).toBe(0);
      });

      it('adjustCounter moves a state’s counter only while every shard holds what was read', async () => {
        const record = await seeded();
        await seeded();
        const shards = await store.counterShards();
        expect(shards.reduce((sum, shard) => sum + (shard.counts.ready ?? 0), 0)).toBe(2);
        expect(await store.adjustCounter({ state: 'ready', delta: 3, shards })).toBe(true);
        expect((await store.queueStats()).queue_depth.ready).toBe(5);
        // Read before that adjustment: refused.
        expect(await store.adjustCounter({ state: 'ready', delta: -3, shards })).toBe(false);
        // A state change since the read: refused too.
        const fresh = await store.counterShards();
        await store.changeState(changeOf(record, 'canceled'), record);
        expect(await store.adjustCounter({ state: 'ready', delta: -3, shards: fresh })).toBe(false);
        expect(await store.adjustCounter({ state: 'ready', delta: -3, shards: await store.counterShards() })).toBe(true);
        expect((await store.queueStats()).queue_depth).toEqual(depth({ ready: 1, canceled: 1 }));
        // A state no shard has a count for yet.
        expect(await store.adjustCounter({ state: 'failed', delta: 1, shards: await store.counterShards() })).toBe(true);
        expect((await store.queueStats()).queue_depth.failed).toBe(1);
      });

      it('slotCounters answers the slots each customer holds (none without a counter); adjustSlots moves them only while they hold what was read', async () => {
        await harness.addCustomer('lab-q');
        await harness.addCustomer('lab-r');
        for (const record of [registeringRecord({ customer_id: 'lab-q' }), registeringRecord({ customer_id: 'lab-q' })]) await store.beginRegistration(record, undefined, ROOM);
        const counters = async () => Object.fromEntries(await store.slotCounters(['lab-q', 'lab-r', 'lab-q']));
        expect(await counters()).toEqual({ 'lab-q': 2 });
        // Not what the counter holds: refused.
        expect(await store.adjustSlots({ customerId: 'lab-q', delta: 3, expected: 1 })).toBe(false);
        expect(await store.adjustSlots({ customerId: 'lab-q', delta: -1, expected: 2 })).toBe(true);
        // No counter yet: only `undefined` matches it, and the fix creates it.
        expect(await store.adjustSlots({ customerId: 'lab-r', delta: 2, expected: 0 })).toBe(false);
        expect(await store.adjustSlots({ customerId: 'lab-r', delta: 2, expected: undefined })).toBe(true);
        expect(await store.adjustSlots({ customerId: 'lab-r', delta: 2, expected: undefined })).toBe(false);
        expect(await counters()).toEqual({ 'lab-q': 1, 'lab-r': 2 });
        // A slot taken since the read refuses a fix decided on it.
        await store.beginRegistration(registeringRecord({ customer_id: 'lab-q' }), undefined, ROOM);
        expect(await store.adjustSlots({ customerId: 'lab-q', delta: 1, expected: 1 })).toBe(false);
        expect(await counters()).toEqual({ 'lab-q': 2, 'lab-r': 2 });
        // The counter the quota decides on.
        expect(await store.beginRegistration(registeringRecord({ customer_id: 'lab-r' }), undefined, { limit: 2 })).toEqual({ kind: 'quota-exceeded', usage: 2 });
      });

      it('customerTurn pages through the customers in id order after the id given, customers only, and says when it reached the last', async () => {
        const prefix = `turn-${Math.random().toString(36).slice(2, 8)}-`;
        for (const suffix of ['c', 'a', 'b']) await harness.addCustomer(`${prefix}${suffix}`);
        // A counter item of the customer's (`counters#…`) is not a customer.
        await store.beginRegistration(registeringRecord({ customer_id: `${prefix}a` }), undefined, ROOM);
        expect(await store.customerTurn(prefix, 2)).toEqual({ customerIds: [`${prefix}a`, `${prefix}b`], more: true });
        const rest = await store.customerTurn(`${prefix}b`, 1_000);
        expect(rest.customerIds[0]).toBe(`${prefix}c`);
        expect(rest.more).toBe(false);
        const all = await store.customerTurn(undefined, 1_000);
        expect(all.customerIds.filter((id) => id.startsWith(prefix))).toEqual([`${prefix}a`, `${prefix}b`, `${prefix}c`]);
        expect(all.customerIds.filter((id) => id.includes('#'))).toEqual([]);
      });

      it('the cursor is written only over the version read, and read back as written', async () => {
        expect(await store.readCursor()).toBeUndefined();
        expect(await store.writeCursor({ changesSince: at(1), recountNext: 'complete' }, undefined)).toBe(true);
        expect(await store.writeCursor({ changesSince: at(2) }, undefined)).toBe(false);
        expect(await store.writeCursor({ changesSince: at(3), scanAfter: 'active/ws-1/daylily.ready' }, 1)).toBe(true);
        expect(await store.writeCursor({ changesSince: at(4) }, 1)).toBe(false);
        expect(await store.readCursor()).toEqual({ version: 2, changesSince: at(3), scanAfter: 'active/ws-1/daylily.ready' });
        // Not a workset: no listing or count sees it.
        expect(await store.getWorkset('#reconciler#cursor')).toBeUndefined();
        expect((await store.listWorksets({ limit: 10 })).items).toEqual([]);
      });
    });
  });
}
