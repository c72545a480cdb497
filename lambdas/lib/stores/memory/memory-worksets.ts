/**
 * The worksets store in memory: the worksets, customers and idempotency tables as maps, with the
 * DynamoDB adapter's semantics (stores/dynamodb/): the same conditions, the same writes, exact
 * queue counters, one history item per state change, the same listing order, page limits and
 * cursor checks. It lets flow tests run without Java or emulators; the port contract tests
 * (test/ports/) hold both implementations to the same behaviour.
 *
 * Values are copied in and out, so no caller can alias what is stored; and, like the document
 * client (removeUndefinedValues), an attribute set to undefined is not stored at all.
 */
import { slotDelta, usageMonth } from '../../domain/customer.ts';
import { historyEntryId, LEASE_LIVE_STATES } from '../../domain/lifecycle.ts';
import { moveDelta, sumShards, type CountDelta, type QueueStats } from '../../domain/queue-counters.ts';
import { stateChangeDetail, type StateChangeDetail } from '../../domain/state-change-event.ts';
import { PRIORITIES, WORKSET_STATES, type HistoryEntry, type WorksetRecord, type WorksetState } from '../../domain/workset.ts';
import type { WorksetDetail } from '../../domain/workset-detail.ts';
import {
  WorksetIdCollision,
  type BeginRegistrationResult,
  type CounterShard,
  type ExpiredLease,
  type HistoryPage,
  type IdempotencyRecord,
  type LeaseClaim,
  type ListingFilter,
  type MetricsMerge,
  type QueueCandidate,
  type SlotClaim,
  type SlotRefusal,
  type ReconcilerCursor,
  type StateChange,
  type WorksetPage,
  type WorksetStore,
  type WriteOutcome,
} from '../../ports/worksets.ts';
import { checkFault, type FaultHook } from './faults.ts';
import { MemoryCustomerStore } from './memory-customers.ts';
import { compareUtf8, decodeCursor, encodeCursor, inOrder, invalidCursor, queryPage, type Position } from './pages.ts';

/** A record being written: any attribute may be set or removed. */
type Item = Record<string, unknown>;

const LEASE_ATTRIBUTES = ['lock_owner', 'lease_expires_at', 'lock_acquired_at'] as const;

/** Queries one filtered listing page may make (the DynamoDB adapter's bound, so pages match). */
const MAX_FILTERED_QUERIES = 10;

/** As the DynamoDB adapter stores an idempotency record: the first answer as JSON text. */
interface StoredIdempotency extends Omit<IdempotencyRecord, 'answer'> {
  readonly answer?: string;
}

export interface MemoryWorksetStoreOptions {
  /** Customers that exist, with the default settings (`addCustomer` adds more). */
  readonly customers?: readonly string[];
  /** The customers store whose counters this store's writes move (default: a new one). */
  readonly customerStore?: MemoryCustomerStore;
  readonly fail?: FaultHook;
}

// ---------------------------------------------------------------------------------------------
// What DynamoDB would do with a value

function withoutUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((element) => element !== undefined).map(withoutUndefined);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, attribute]) => attribute !== undefined)
        .map(([name, attribute]) => [name, withoutUndefined(attribute)]),
    );
  }
  return value;
}

/** A registration's time (its record's `created_at`) in the unit of `expires_at`. */
const epochSeconds = (at: string): number => Math.floor(Date.parse(at) / 1000);

/** A copy of what DynamoDB keeps of a value. */
function stored<T>(value: T): T {
  return structuredClone(withoutUndefined(value)) as T;
}

/** `a <= b` for strings as DynamoDB compares them; false when `a` is absent or not a string. */
function notAfter(a: unknown, b: string): boolean {
  return typeof a === 'string' && compareUtf8(a, b) <= 0;
}

function isAfter(a: unknown, b: string): boolean {
  return typeof a === 'string' && compareUtf8(a, b) > 0;
}

function without(item: object, attributes: readonly string[]): Item {
  const next: Item = { ...item };
  for (const attribute of attributes) delete next[attribute];
  return next;
}

/** DynamoDB refuses an update naming an attribute twice, or a map and one of its keys ("Two document paths overlap"). */
function assertNoOverlap(paths: ReadonlyArray<readonly string[]>): void {
  const overlaps = (a: readonly string[], b: readonly string[]) => a.slice(0, b.length).every((segment, i) => segment === b[i]) || b.slice(0, a.length).every((segment, i) => segment === a[i]);
  paths.forEach((a, i) => {
    const other = paths.slice(i + 1).find((b) => overlaps(a, b));
    if (other) throw new Error(`invalid update: the paths ${a.join('.')} and ${other.join('.')} overlap`);
  });
}

/** DynamoDB has no undefined: an update expression setting an attribute to it is invalid (the value is dropped, its alias left undefined). */
function assertDefined(set: Readonly<Record<string, unknown>>): void {
  const missing = Object.keys(set).find((name) => set[name] === undefined);
  if (missing !== undefined) throw new Error(`invalid update: ${missing} is set to undefined`);
}

/** The paths a metrics merge writes: each key (one level) into an existing map, or the whole map. */
function metricPaths(metrics: { readonly merge: Readonly<Record<string, unknown>>; readonly exists: boolean }): string[][] {
  return metrics.exists ? Object.keys(metrics.merge).map((key) => ['metrics', key]) : [['metrics']];
}

/** `size(metrics) <= keysAtMost` as DynamoDB evaluates it: false when there is no map. */
function metricsWithin(record: WorksetRecord, keysAtMost: number): boolean {
  return record.metrics !== undefined && Object.keys(record.metrics).length <= keysAtMost;
}

function holdsLease(record: WorksetRecord, lease: { owner: string; epoch?: number | undefined }): boolean {
  return record.lock_owner === lease.owner && (lease.epoch === undefined || record.lease_epoch === lease.epoch);
}

/** The record is at `version`; version 0 also matches one without a version (the DynamoDB adapter's Expression.atVersion). */
function atVersion(record: WorksetRecord, version: number): boolean {
  return (record.version ?? 0) === version;
}

function changeHolds(record: WorksetRecord, change: StateChange): boolean {
  return (
    record.state === change.from &&
    atVersion(record, change.version) &&
    (!change.metrics || (change.metrics.exists ? metricsWithin(record, change.metrics.keysAtMost) : record.metrics === undefined)) &&
    (!change.lease || holdsLease(record, change.lease)) &&
    (!change.noLiveLeaseAt || record.lock_owner === undefined || notAfter(record.lease_expires_at, change.noLiveLeaseAt)) &&
    (change.customerId === undefined || record.customer_id === change.customerId)
  );
}

/** What a state change writes, applied to `base` (the stored record, or the one the change was decided on). */
function applyStateChange(base: WorksetRecord, change: StateChange): Item {
  let next: Item = { ...base, ...change.set, state: change.to, version: change.version + 1, updated_at: change.at, state_history: change.history };
  next = without(next, change.remove ?? []);
  if (change.metrics) next.metrics = { ...(change.metrics.exists ? base.metrics : {}), ...change.metrics.merge };
  if (change.revokeLease) next = { ...without(next, LEASE_ATTRIBUTES), lease_epoch: (base.lease_epoch ?? 0) + 1 };
  return next;
}

function fromStored(item: StoredIdempotency): IdempotencyRecord {
  const { answer, ...rest } = structuredClone(item);
  return { ...rest, ...(answer !== undefined ? { answer: JSON.parse(answer) as WorksetDetail } : {}) };
}

// Index positions: a customer's worksets newest first, a state's in queue order (ties by id, which
// DynamoDB leaves unspecified).
const byCreation = (record: WorksetRecord): Position => ({ sort: record.created_at, id: record.workset_id });
const byQueueOrder = (record: WorksetRecord): Position => ({ sort: record.queue_order, id: record.workset_id });

/** A page's byte budget (records as JSON), as the DynamoDB adapter keeps it: at least one record per page. */
function pageBudget(maxBytes: number | undefined): { take: (records: readonly WorksetRecord[], pageEmpty: boolean) => number } {
  let used = 0;
  return {
    take(records, pageEmpty) {
      if (maxBytes === undefined) return records.length;
      let count = 0;
      for (const record of records) {
        const size = JSON.stringify(record).length;
        if (used + size > maxBytes && !(pageEmpty && count === 0)) break;
        used += size;
        count += 1;
      }
      return count;
    },
  };
}

const isListing = (listing: Readonly<Record<string, string>>, expected: Readonly<Record<string, string>>): boolean =>
  Object.keys(listing).length === Object.keys(expected).length && Object.entries(expected).every(([name, value]) => listing[name] === value);

export class MemoryWorksetStore implements WorksetStore {
  /** Checked before every operation with the port method's name and its first argument; assign it any time. */
  fail: FaultHook | undefined;
  private readonly worksets = new Map<string, WorksetRecord>();
  /** History items by workset, then entry id. Like DynamoDB's, they outlive a removed record. */
  private readonly histories = new Map<string, Map<string, HistoryEntry>>();
  private readonly counts = new Map<WorksetState, number>();
  private readonly idempotency = new Map<string, StoredIdempotency>();
  /** The customers, whose slot and registration counters move with this store's writes. */
  readonly customerStore: MemoryCustomerStore;
  /** Every history item as the event it publishes, in the order written: the table's stream, as it were. */
  private readonly changes: StateChangeDetail[] = [];
  private cursor: ReconcilerCursor | undefined;

  constructor(options: MemoryWorksetStoreOptions = {}) {
    this.fail = options.fail;
    this.customerStore = options.customerStore ?? new MemoryCustomerStore();
    for (const customerId of options.customers ?? []) this.customerStore.addCustomer(customerId);
  }

  addCustomer(customerId: string): void {
    this.customerStore.addCustomer(customerId);
  }

  /** A fixture: puts a record as it is, with its queue count and its customer's slot (no history item), replacing one with its id. */
  seedWorkset(record: WorksetRecord): void {
    const previous = this.worksets.get(record.workset_id)?.state ?? null;
    this.count(moveDelta(previous, record.state));
    this.customerStore.moveSlot(record.customer_id, slotDelta(previous, record.state));
    this.worksets.set(record.workset_id, stored(record));
  }

  /** A fixture: a count moved without any record moving (a counter that drifted). */
  skewCount(state: WorksetState, delta: number): void {
    this.count({ [state]: delta });
  }

  /** A fixture: a customer's slot counter moved without any record moving. */
  skewSlots(customerId: string, delta: number): void {
    this.customerStore.moveSlot(customerId, delta);
  }

  /**
   * The state changes written so far, in order, as the stream consumer reads them from the
   * DynamoDB table's stream (a test hands them to the publishing flow).
   */
  outbox(): StateChangeDetail[] {
    return structuredClone(this.changes);
  }

  // -------------------------------------------------------------------------------------------
  // The tables

  /** A record by id; ids with '#' are history and counter items in DynamoDB, never worksets. */
  private record(worksetId: string): WorksetRecord | undefined {
    return worksetId.includes('#') ? undefined : this.worksets.get(worksetId);
  }

  private copyOf(worksetId: string): WorksetRecord | undefined {
    const record = this.record(worksetId);
    return record && structuredClone(record);
  }

  private write(item: Item): WorksetRecord {
    const record = stored(item) as unknown as WorksetRecord;
    this.worksets.set(record.workset_id, record);
    return structuredClone(record);
  }

  private count(delta: CountDelta): void {
    for (const [state, change] of Object.entries(delta) as Array<[WorksetState, number]>) this.counts.set(state, (this.counts.get(state) ?? 0) + change);
  }

  /** The history item of a change, which is also its outbox item (the event it publishes). */
  private putHistory(worksetId: string, customerId: string, version: number, entry: HistoryEntry): void {
    const { from, to, reason, actor, at, error_category } = entry;
    const entries = this.histories.get(worksetId) ?? new Map<string, HistoryEntry>();
    const item = stored({ from, to, reason, actor, at, ...(error_category ? { error_category } : {}) });
    entries.set(historyEntryId(version), item);
    this.histories.set(worksetId, entries);
    this.changes.push(stateChangeDetail({ worksetId, customerId, version, entry: item }));
  }

  /** One conditional update: the record after it, or (refused, or missing) the record as it is. */
  private conditional(worksetId: string, holds: (record: WorksetRecord) => boolean, next: (record: WorksetRecord) => Item, classify = true): WriteOutcome {
    const record = this.record(worksetId);
    if (!record || !holds(record)) return { ok: false, current: classify ? this.copyOf(worksetId) : undefined };
    return { ok: true, record: this.write(next(record)) };
  }

  // -------------------------------------------------------------------------------------------
  // WorksetQueries

  async getWorkset(worksetId: string): Promise<WorksetRecord | undefined> {
    checkFault(this.fail, 'getWorkset', worksetId);
    return this.copyOf(worksetId);
  }

  async listWorksets(filter: ListingFilter): Promise<WorksetPage> {
    checkFault(this.fail, 'listWorksets', filter);
    return filter.customerId !== undefined ? this.listByCustomer({ ...filter, customerId: filter.customerId }) : this.listByState(filter);
  }

  /** Newest first, `state` and `priority` filtering what each query evaluated (so a page may come back short). */
  private listByCustomer(filter: ListingFilter & { customerId: string }): WorksetPage {
    const listing = { customer: filter.customerId };
    let start = filter.nextToken === undefined ? undefined : decodeCursor(filter.nextToken, (issued) => isListing(issued, listing)).after;
    if (filter.nextToken !== undefined && start === undefined) throw invalidCursor();
    const ordered = inOrder([...this.worksets.values()].filter((record) => record.customer_id === filter.customerId), byCreation, -1);
    const items: WorksetRecord[] = [];
    const budget = pageBudget(filter.maxBytes);
    for (let query = 0; query < MAX_FILTERED_QUERIES && items.length < filter.limit; query += 1) {
      const page = queryPage(ordered, byCreation, -1, start, filter.limit - items.length);
      const matching = page.items.filter((record) => (!filter.state || record.state === filter.state) && (!filter.priority || record.priority === filter.priority));
      const fit = budget.take(matching, items.length === 0);
      items.push(...matching.slice(0, fit));
      start = page.last;
      if (fit < matching.length) {
        start = byCreation(items.at(-1)!);
        break;
      }
      if (!start) break;
    }
    return { items: items.map((record) => structuredClone(record)), ...(start ? { nextToken: encodeCursor({ listing, after: start }) } : {}) };
  }

  /** Queue order within a state; without a state, state after state (WORKSET_STATES order). */
  private listByState(filter: ListingFilter): WorksetPage {
    const states: readonly WorksetState[] = filter.state ? [filter.state] : WORKSET_STATES;
    let stateIndex = 0;
    let start: Position | undefined;
    if (filter.nextToken !== undefined) {
      const cursor = decodeCursor(filter.nextToken, (issued) => states.some((state) => isListing(issued, { state })));
      stateIndex = states.indexOf(cursor.listing.state as WorksetState);
      start = cursor.after;
    }
    // queue_order = `{priority rank}#{created_at}`: a priority is a key prefix, not a filter.
    const rank = filter.priority ? `${PRIORITIES.indexOf(filter.priority)}#` : '';
    const items: WorksetRecord[] = [];
    const budget = pageBudget(filter.maxBytes);
    while (stateIndex < states.length && items.length < filter.limit) {
      const state = states[stateIndex]!;
      const ordered = inOrder([...this.worksets.values()].filter((record) => record.state === state && record.queue_order.startsWith(rank)), byQueueOrder, 1);
      const page = queryPage(ordered, byQueueOrder, 1, start, filter.limit - items.length);
      const fit = budget.take(page.items, items.length === 0);
      items.push(...page.items.slice(0, fit));
      if (fit < page.items.length) {
        start = byQueueOrder(items.at(-1)!);
        break;
      }
      start = page.last;
      if (!start) stateIndex += 1;
    }
    const nextToken = stateIndex >= states.length ? undefined : encodeCursor({ listing: { state: states[stateIndex]! }, ...(start ? { after: start } : {}) });
    return { items: items.map((record) => structuredClone(record)), ...(nextToken ? { nextToken } : {}) };
  }

  async queueCandidates(input: { state: 'ready' | 'retrying'; now: string; limit: number; startKey?: Record<string, unknown> }): Promise<{ items: QueueCandidate[]; lastKey?: Record<string, unknown> }> {
    checkFault(this.fail, 'queueCandidates', input);
    let start: Position | undefined;
    if (input.startKey) {
      const { workset_id: id, queue_order: sort, state } = input.startKey;
      // Like DynamoDB's ValidationException: a start key this query did not return is a bug, not input.
      if (typeof id !== 'string' || typeof sort !== 'string' || state !== input.state) throw new Error('queueCandidates: startKey is not a key this query returned');
      start = { sort, id };
    }
    // The claimable index: worksets in the state that nobody holds a lease on.
    const ordered = inOrder([...this.worksets.values()].filter((record) => record.state === input.state && record.lock_owner === undefined), byQueueOrder, 1);
    const page = queryPage(ordered, byQueueOrder, 1, start, input.limit);
    // The limit applies before the filter, as in DynamoDB: a page may hold none of its candidates.
    const items = page.items
      .filter((record) => input.state !== 'retrying' || record.retry_after === undefined || notAfter(record.retry_after, input.now))
      .map(({ workset_id, queue_order, state }) => ({ workset_id, queue_order, state }));
    return { items, ...(page.last ? { lastKey: { workset_id: page.last.id, state: input.state, queue_order: page.last.sort } } : {}) };
  }

  async expiredLeases(input: { now: string; limit: number }): Promise<ExpiredLease[]> {
    checkFault(this.fail, 'expiredLeases', input);
    // The lease-expiry index: leases on live worksets, by expiry.
    const live = [...this.worksets.values()].filter(
      (record) => record.lock_owner !== undefined && (LEASE_LIVE_STATES as readonly string[]).includes(record.state) && notAfter(record.lease_expires_at, input.now),
    );
    return inOrder(live, (record) => ({ sort: record.lease_expires_at ?? '', id: record.workset_id }), 1)
      .slice(0, input.limit)
      .map(({ workset_id, queue_order, state, lock_owner, lease_expires_at }) => ({ workset_id, queue_order, state, ...(lock_owner ? { lock_owner } : {}), ...(lease_expires_at ? { lease_expires_at } : {}) }));
  }

  async queueStats(): Promise<QueueStats> {
    checkFault(this.fail, 'queueStats', undefined);
    return sumShards([Object.fromEntries(this.counts)]);
  }

  async history(worksetId: string, options: { limit: number; nextToken?: string }): Promise<HistoryPage> {
    checkFault(this.fail, 'history', worksetId);
    const listing = { history_of: worksetId };
    const start = options.nextToken === undefined ? undefined : decodeCursor(options.nextToken, (issued) => isListing(issued, listing)).after;
    if (options.nextToken !== undefined && start === undefined) throw invalidCursor();
    const position = ([entryId]: [string, HistoryEntry]): Position => ({ sort: entryId, id: worksetId });
    const ordered = inOrder(this.histories.get(worksetId) ?? [], position, 1);
    const page = queryPage(ordered, position, 1, start, options.limit);
    const entries = page.items.map(([, entry]): HistoryEntry => {
      const { from, to, reason, actor, at, error_category } = structuredClone(entry);
      return { from: from ?? null, to, reason, actor, at, ...(error_category ? { error_category } : {}) };
    });
    return { entries, ...(page.last ? { nextToken: encodeCursor({ listing, after: page.last }) } : {}) };
  }

  // -------------------------------------------------------------------------------------------
  // WorksetLeases

  async grantLease(input: { worksetId: string; owner: string; now: string; expiresAt: string; classify?: boolean }): Promise<WriteOutcome> {
    checkFault(this.fail, 'grantLease', input);
    return this.conditional(
      input.worksetId,
      (record) =>
        (record.state === 'ready' || (record.state === 'retrying' && (record.retry_after === undefined || notAfter(record.retry_after, input.now)))) &&
        (record.lock_owner === undefined || notAfter(record.lease_expires_at, input.now)),
      (record) => ({
        ...record,
        lock_owner: input.owner,
        lease_expires_at: input.expiresAt,
        lock_acquired_at: input.now,
        lease_epoch: (record.lease_epoch ?? 0) + 1,
        // Progress merges metrics key by key, which needs the map to exist.
        metrics: record.metrics ?? {},
        updated_at: input.now,
      }),
      input.classify ?? true,
    );
  }

  async renewLease(input: { worksetId: string; owner: string; epoch: number; now: string; expiresAt: string; states: readonly WorksetState[] }): Promise<WriteOutcome> {
    checkFault(this.fail, 'renewLease', input);
    return this.conditional(
      input.worksetId,
      // An expired lease is up for grabs: renewing it would race a takeover.
      (record) => holdsLease(record, input) && isAfter(record.lease_expires_at, input.now) && input.states.includes(record.state),
      (record) => ({ ...record, lease_expires_at: input.expiresAt, updated_at: input.now }),
    );
  }

  async releaseLease(input: { worksetId: string; owner: string; epoch?: number; at: string }): Promise<WriteOutcome> {
    checkFault(this.fail, 'releaseLease', input);
    return this.conditional(
      input.worksetId,
      (record) => holdsLease(record, input),
      (record) => ({ ...without(record, LEASE_ATTRIBUTES), updated_at: input.at }),
    );
  }

  async recordProgress(input: {
    worksetId: string;
    lease: LeaseClaim;
    at: string;
    set: Readonly<Record<string, unknown>>;
    metrics?: MetricsMerge;
    states: readonly WorksetState[];
  }): Promise<WriteOutcome> {
    checkFault(this.fail, 'recordProgress', input);
    const metrics = input.metrics && Object.keys(input.metrics.merge).length > 0 ? input.metrics.merge : undefined;
    const record = this.record(input.worksetId);
    // The DynamoDB adapter's first attempt always writes metrics key by key.
    assertDefined(input.set);
    assertDefined(metrics ?? {});
    assertNoOverlap([['updated_at'], ...Object.keys(input.set).map((name) => [name]), ...(metrics ? metricPaths({ merge: metrics, exists: record?.metrics !== undefined }) : [])]);
    return this.conditional(
      input.worksetId,
      (current) =>
        holdsLease(current, input.lease) &&
        isAfter(current.lease_expires_at, input.at) &&
        input.states.includes(current.state) &&
        (!metrics || current.metrics === undefined || metricsWithin(current, input.metrics!.keysAtMost)),
      (current) => ({ ...current, updated_at: input.at, ...input.set, ...(metrics ? { metrics: { ...current.metrics, ...metrics } } : {}) }),
    );
  }

  // -------------------------------------------------------------------------------------------
  // StateChanges

  async changeState(change: StateChange, base: WorksetRecord): Promise<WriteOutcome> {
    checkFault(this.fail, 'changeState', change);
    assertDefined(change.set ?? {});
    if (change.metrics?.exists) assertDefined(change.metrics.merge);
    assertNoOverlap([
      ['state'],
      ['version'],
      ['updated_at'],
      ['state_history'],
      ...Object.keys(change.set ?? {}).map((name) => [name]),
      ...(change.remove ?? []).map((name) => [name]),
      ...(change.metrics ? metricPaths(change.metrics) : []),
      ...(change.revokeLease ? [...LEASE_ATTRIBUTES, 'lease_epoch'].map((name) => [name]) : []),
    ]);
    const record = this.record(change.worksetId);
    const slot = slotDelta(change.from, change.to);
    if (slot > 0 && !change.slot) throw new Error(`the change ${change.from} → ${change.to} of ${change.worksetId} takes a slot: it needs the customer's quota`);
    if (!record || !changeHolds(record, change)) return { ok: false, current: this.copyOf(change.worksetId) };
    const refusal = slot > 0 ? this.slotRefusal(base.customer_id, change.slot!) : undefined;
    if (refusal) return { ok: false, current: this.copyOf(change.worksetId), slot: refusal };
    this.write(applyStateChange(record, change));
    this.putHistory(change.worksetId, base.customer_id, change.version + 1, change.entry);
    this.count(moveDelta(change.from, change.to));
    this.customerStore.moveSlot(base.customer_id, slot);
    // The DynamoDB adapter answers the change applied to the record it was decided on.
    return { ok: true, record: stored(applyStateChange(base, change)) as unknown as WorksetRecord };
  }

  async markSentinels(input: { worksetId: string; version: number; pending: WorksetRecord['sentinel_sync_pending'] }): Promise<void> {
    checkFault(this.fail, 'markSentinels', input);
    // A newer state change owns the folder now (and repairs it with its own plan).
    this.conditional(
      input.worksetId,
      (record) => atVersion(record, input.version),
      (record) => (input.pending ? { ...record, sentinel_sync_pending: input.pending } : without(record, ['sentinel_sync_pending'])),
      false,
    );
  }

  async removeRecord(input: { worksetId: string; version: number }): Promise<boolean> {
    checkFault(this.fail, 'removeRecord', input);
    const record = this.record(input.worksetId);
    if (!record || record.state !== 'deleted' || !atVersion(record, input.version)) return false;
    this.worksets.delete(input.worksetId);
    this.count(moveDelta('deleted', null));
    return true;
  }

  // -------------------------------------------------------------------------------------------
  // FolderMoves

  async claimMove(input: { worksetId: string; version: number; claim: NonNullable<WorksetRecord['move_claim']>; now: string }): Promise<WriteOutcome> {
    checkFault(this.fail, 'claimMove', input);
    return this.conditional(
      input.worksetId,
      (record) => atVersion(record, input.version) && (record.move_claim === undefined || notAfter(record.move_claim.expires_at, input.now)),
      (record) => ({ ...record, move_claim: input.claim }),
    );
  }

  async releaseMove(input: { worksetId: string; token: string }): Promise<void> {
    checkFault(this.fail, 'releaseMove', input);
    this.conditional(
      input.worksetId,
      (record) => record.move_claim?.token === input.token,
      (record) => without(record, ['move_claim']),
      false,
    );
  }

  // -------------------------------------------------------------------------------------------
  // Registrations

  /** Why the customer refuses a change taking a slot (the DynamoDB adapter's two customer items), if it does. */
  private slotRefusal(customerId: string, slot: SlotClaim): SlotRefusal | undefined {
    return this.customerStore.slotFree(customerId, slot.limit) ? undefined : { kind: 'quota-exceeded', usage: this.customerStore.activeWorksets(customerId) };
  }

  async beginRegistration(record: WorksetRecord, idempotency: Omit<IdempotencyRecord, 'answer'> | undefined, slot: SlotClaim): Promise<BeginRegistrationResult> {
    checkFault(this.fail, 'beginRegistration', record);
    // The DynamoDB transaction's conditions, in the order its adapter reads their failures.
    const customers = this.customerStore;
    if (!customers.has(record.customer_id)) return { kind: 'unknown-customer' };
    const existing = idempotency && this.idempotency.get(idempotency.idempotency_key);
    // An expired record (TTL deletion lags by hours) no longer holds the key.
    if (existing && existing.expires_at >= epochSeconds(record.created_at)) return { kind: 'key-in-use', existing: fromStored(existing) };
    const refusal = this.slotRefusal(record.customer_id, slot);
    if (refusal) return refusal;
    if (this.worksets.has(record.workset_id)) throw new WorksetIdCollision(record.workset_id);

    this.write(record as unknown as Item);
    if (idempotency) this.idempotency.set(idempotency.idempotency_key, stored(idempotency));
    if (record.state_history[0]) this.putHistory(record.workset_id, record.customer_id, 0, record.state_history[0]);
    this.count(moveDelta(null, 'registering'));
    customers.moveSlot(record.customer_id, 1);
    customers.countRegistration(record.customer_id, usageMonth(record.created_at), record.sample_count, 1);
    return { kind: 'created' };
  }

  async completeRegistration(input: {
    readonly worksetId: string;
    readonly customerId: string;
    readonly at: string;
    readonly entry: HistoryEntry;
    readonly withdrawals: number | undefined;
    readonly idempotency?: { readonly key: string; readonly answer: WorksetDetail };
  }): Promise<boolean> {
    checkFault(this.fail, 'completeRegistration', input);
    const record = this.worksets.get(input.worksetId);
    // Fenced: no request withdrew daylily.ready since this one read the count (before its put).
    if (!record || record.state !== 'registering' || record.ready_withdrawals !== input.withdrawals) return false;
    const respond = input.idempotency && this.idempotency.get(input.idempotency.key);
    if (input.idempotency && respond?.workset_id !== input.worksetId) {
      throw new Error(`the idempotency record of ${input.worksetId} vanished (or names another workset) before registration completed`);
    }

    this.write({ ...record, state: 'ready', updated_at: input.at, state_history: [...record.state_history, input.entry], version: 1 });
    if (input.idempotency && respond) this.idempotency.set(input.idempotency.key, { ...respond, answer: JSON.stringify(input.idempotency.answer) });
    this.putHistory(input.worksetId, input.customerId, 1, input.entry);
    this.count(moveDelta('registering', 'ready'));
    return true;
  }

  async fenceReadyWithdrawal(worksetId: string): Promise<WorksetRecord | undefined> {
    checkFault(this.fail, 'fenceReadyWithdrawal', worksetId);
    const record = this.worksets.get(worksetId);
    // No longer `registering` (or gone): there is no flip left to fence. Neither the version nor
    // updated_at changes: this is no state change.
    if (!record || record.state !== 'registering') return undefined;
    return this.write({ ...record, ready_withdrawals: (record.ready_withdrawals ?? 0) + 1 });
  }

  async abandonRegistration(worksetId: string): Promise<boolean> {
    checkFault(this.fail, 'abandonRegistration', worksetId);
    const record = this.worksets.get(worksetId);
    if (!record || record.state !== 'registering') return false;
    this.worksets.delete(worksetId);
    this.count(moveDelta('registering', null));
    this.customerStore.moveSlot(record.customer_id, -1);
    this.customerStore.countRegistration(record.customer_id, usageMonth(record.created_at), record.sample_count, -1);
    return true;
  }

  async getIdempotencyRecord(key: string): Promise<IdempotencyRecord | undefined> {
    checkFault(this.fail, 'getIdempotencyRecord', key);
    const item = this.idempotency.get(key);
    return item && fromStored(item);
  }
  // -------------------------------------------------------------------------------------------
  // Reconciliation

  async flaggedRecords(input: { limit: number; startKey?: string }): Promise<{ items: WorksetRecord[]; nextKey?: string }> {
    checkFault(this.fail, 'flaggedRecords', input);
    // The reconcile index's `sentinels` partition: flagged records by when they were flagged.
    const flagged = inOrder(
      [...this.worksets.values()].filter((record) => record.sentinel_sync_pending !== undefined),
      (record) => ({ sort: record.sentinel_sync_pending!.since, id: record.workset_id }),
      1,
    );
    const start = input.startKey === undefined ? undefined : (JSON.parse(input.startKey) as Position);
    const page = queryPage(flagged, (record) => ({ sort: record.sentinel_sync_pending!.since, id: record.workset_id }), 1, start, input.limit);
    return { items: page.items.map((record) => structuredClone(record)), ...(page.last ? { nextKey: JSON.stringify(page.last) } : {}) };
  }

  async changesSince(input: { since: string; until: string; limit: number; startKey?: string }): Promise<{ items: StateChangeDetail[]; nextKey?: string }> {
    checkFault(this.fail, 'changesSince', input);
    const position = (change: StateChangeDetail): Position => ({ sort: change.time, id: change.event_id });
    const window = inOrder(
      this.changes.filter((change) => compareUtf8(change.time, input.since) >= 0 && notAfter(change.time, input.until)),
      position,
      1,
    );
    const start = input.startKey === undefined ? undefined : (JSON.parse(input.startKey) as Position);
    const page = queryPage(window, position, 1, start, input.limit);
    return { items: structuredClone(page.items), ...(page.last ? { nextKey: JSON.stringify(page.last) } : {}) };
  }

  async getWorksets(worksetIds: readonly string[]): Promise<WorksetRecord[]> {
    checkFault(this.fail, 'getWorksets', worksetIds);
    return [...new Set(worksetIds)].flatMap((id) => this.copyOf(id) ?? []);
  }

  async countInState(state: WorksetState): Promise<number> {
    checkFault(this.fail, 'countInState', state);
    return [...this.worksets.values()].filter((record) => record.state === state).length;
  }

  async counterShards(): Promise<CounterShard[]> {
    checkFault(this.fail, 'counterShards', undefined);
    // One shard: the store keeps exact counts in one map.
    return [{ id: 'memory', counts: Object.fromEntries(this.counts) }];
  }

  async adjustCounter(input: { state: WorksetState; delta: number; shards: readonly CounterShard[] }): Promise<boolean> {
    checkFault(this.fail, 'adjustCounter', input);
    if (input.shards.length !== 1 || input.shards[0]!.counts[input.state] !== this.counts.get(input.state)) return false;
    this.count({ [input.state]: input.delta });
    return true;
  }

  async slotCounters(customerIds: readonly string[]): Promise<ReadonlyMap<string, number>> {
    checkFault(this.fail, 'slotCounters', customerIds);
    return new Map(customerIds.flatMap((customerId) => {
      const held = this.customerStore.slotCounter(customerId);
      return held === undefined ? [] : [[customerId, held] as const];
    }));
  }

  async adjustSlots(input: { customerId: string; delta: number; expected: number | undefined }): Promise<boolean> {
    checkFault(this.fail, 'adjustSlots', input);
    if (this.customerStore.slotCounter(input.customerId) !== input.expected) return false;
    this.customerStore.moveSlot(input.customerId, input.delta);
    return true;
  }

  async customerTurn(after: string | undefined, limit: number): Promise<{ customerIds: string[]; more: boolean }> {
    checkFault(this.fail, 'customerTurn', { after, limit });
    const ids = this.customerStore.customerIds().filter((id) => after === undefined || compareUtf8(id, after) > 0).sort(compareUtf8);
    return { customerIds: ids.slice(0, limit), more: ids.length > limit };
  }

  async readCursor(): Promise<ReconcilerCursor | undefined> {
    checkFault(this.fail, 'readCursor', undefined);
    return this.cursor && structuredClone(this.cursor);
  }

  async writeCursor(cursor: Omit<ReconcilerCursor, 'version'>, expected: number | undefined): Promise<boolean> {
    checkFault(this.fail, 'writeCursor', { cursor, expected });
    if (this.cursor?.version !== expected) return false;
    this.cursor = stored({ ...cursor, version: (expected ?? 0) + 1 });
    return true;
  }
}
