/**
 * The worksets store: the one port over the worksets, customers and idempotency tables. The flows
 * see only these types, never an SDK's, so they read as the protocol they implement. The port is
 * composed of facets by job, and each function is wired with the facets its flows use
 * (lambdas/lib/wiring/), so its bundle carries no more of the adapter than that.
 *
 * Adapters translate their SDK's failures: an unavailable or throttling dependency is a
 * StorageUnavailableError (errors.ts), a condition that did not hold is an answer (`ok: false`,
 * `false`, a result kind), never an exception. A write conditioned on a version holds at version 0
 * for a record without one too (registration begins records unversioned; older records have none).
 */
import type { QueueStats } from '../domain/queue-counters.ts';
import type { MoveClaim, SentinelSyncPending } from '../domain/lifecycle.ts';
import type { StateChangeDetail } from '../domain/state-change-event.ts';
import type { HistoryEntry, Priority, WorksetRecord, WorksetState } from '../domain/workset.ts';
import type { WorksetDetail } from '../domain/workset-detail.ts';

// ---------------------------------------------------------------------------------------------
// Reads

export interface WorksetPage {
  readonly items: readonly WorksetRecord[];
  /** Opaque cursor of the next page; absent on the last page. */
  readonly nextToken?: string;
}

export interface HistoryPage {
  readonly entries: readonly HistoryEntry[];
  readonly nextToken?: string;
}

/**
 * Which worksets a listing returns: one customer's (newest first), one state's (queue order), or
 * every state in turn; `priority` narrows any of them.
 */
export interface ListingFilter {
  readonly customerId?: string;
  readonly state?: WorksetState;
  readonly priority?: Priority;
  readonly limit: number;
  readonly nextToken?: string;
  /**
   * Where a page ends early, however few items it holds: once its records reach this many bytes
   * (as JSON). The cursor then resumes after the last item returned. Absent: no bound.
   */
  readonly maxBytes?: number;
}

export type QueueCandidate = Pick<WorksetRecord, 'workset_id' | 'queue_order' | 'state'>;

/** A lease that ran out, on a `ready`, `retrying` or `in_progress` workset. */
export type ExpiredLease = Pick<WorksetRecord, 'workset_id' | 'queue_order' | 'state' | 'lock_owner' | 'lease_expires_at'>;

export interface WorksetQueries {
  /** A consistent read; undefined when there is no such workset. */
  getWorkset(worksetId: string): Promise<WorksetRecord | undefined>;
  /** Cursor pagination, never a scan. A cursor this listing did not issue is an InvalidInputError. */
  listWorksets(filter: ListingFilter): Promise<WorksetPage>;
  /**
   * Candidates for a lease in queue order: worksets in `state` that nobody holds a lease on (for
   * `retrying`, past their backoff). A query of the claimable index, so leased worksets cost
   * nothing however many there are. Only `workset_id`, `queue_order` and `state` are returned.
   */
  queueCandidates(input: { state: 'ready' | 'retrying'; now: string; limit: number; startKey?: Record<string, unknown> }): Promise<{ items: QueueCandidate[]; lastKey?: Record<string, unknown> }>;
  /** Leases that ran out by `now` on live worksets, the longest-expired first (at most `limit`). */
  expiredLeases(input: { now: string; limit: number }): Promise<ExpiredLease[]>;
  /** Exact counts per state, whatever the table holds. */
  queueStats(): Promise<QueueStats>;
  /** A workset's full history, oldest first. */
  history(worksetId: string, options: { limit: number; nextToken?: string }): Promise<HistoryPage>;
}

// ---------------------------------------------------------------------------------------------
// Conditional writes

/**
 * A change that takes one of its customer's active-workset slots: the write lands only while the
 * customer holds fewer than `limit` (its max_active_worksets, as the flow read it) and counts the
 * slot in the same transaction.
 */
export interface SlotClaim {
  readonly limit: number;
}

/** Why a change that takes a slot was refused by its customer rather than by its record: `usage` slots are held. */
export type SlotRefusal = { readonly kind: 'quota-exceeded'; readonly usage: number };

/**
 * A conditional write's answer: the record after it, or (refused) the record as it is now, and
 * `slot` when the customer's quota refused it.
 */
export type WriteOutcome =
  | { readonly ok: true; readonly record: WorksetRecord }
  | { readonly ok: false; readonly current: WorksetRecord | undefined; readonly slot?: SlotRefusal };

export interface LeaseClaim {
  readonly owner: string;
  readonly epoch: number;
}

export interface WorksetLeases {
  /** A new grant (epoch + 1) when lockable and unleased or expired; nothing else. `classify`: read the record when refused (default true). */
  grantLease(input: { worksetId: string; owner: string; now: string; expiresAt: string; classify?: boolean }): Promise<WriteOutcome>;
  /** Extends the live (unexpired) lease of `owner` at `epoch` while the workset is in `states`. */
  renewLease(input: { worksetId: string; owner: string; epoch: number; now: string; expiresAt: string; states: readonly WorksetState[] }): Promise<WriteOutcome>;
  /** Removes the lease fields (never the epoch, never the state). */
  releaseLease(input: { worksetId: string; owner: string; epoch?: number; at: string }): Promise<WriteOutcome>;
  /** Sets progress fields and merges metrics, fenced by the live (unexpired at `at`) lease, state unchanged. */
  recordProgress(input: {
    worksetId: string;
    lease: LeaseClaim;
    at: string;
    set: Readonly<Record<string, unknown>>;
    metrics?: MetricsMerge;
    states: readonly WorksetState[];
  }): Promise<WriteOutcome>;
}

/**
 * Metric keys merged into a record's `metrics` (one level), keeping the others; written only while
 * `metrics` holds at most `keysAtMost` keys, so a merge cannot take it past its bound.
 */
export interface MetricsMerge {
  readonly merge: Readonly<Record<string, unknown>>;
  readonly keysAtMost: number;
}

/** One conditional state change, as the lifecycle flows describe it to the store. */
export interface StateChange {
  readonly worksetId: string;
  readonly from: WorksetState;
  readonly to: WorksetState;
  /** The version the decision was made on; the write is conditioned on it (and on `from`). */
  readonly version: number;
  readonly at: string;
  readonly entry: HistoryEntry;
  /** The new inline (bounded) history. */
  readonly history: readonly HistoryEntry[];
  /** Attributes to set besides state, version, updated_at and the history. */
  readonly set?: Readonly<Record<string, unknown>>;
  /** Attributes to remove. */
  readonly remove?: readonly string[];
  /** Metric keys merged into `metrics`; `exists`: whether the record read had `metrics`. */
  readonly metrics?: MetricsMerge & { readonly exists: boolean };
  /** The writer must hold the lease, fenced by its epoch. */
  readonly lease?: LeaseClaim;
  /** Ends any lease and fences its holder off (a new run starts). */
  readonly revokeLease?: boolean;
  /** Only if nobody holds a live lease (an operator recovering an abandoned run). */
  readonly noLiveLeaseAt?: string;
  /** Only if the workset belongs to this customer. */
  readonly customerId?: string;
  /** Required when the change takes a slot (domain/customer.ts slotDelta); a release needs nothing. */
  readonly slot?: SlotClaim;
}

export interface StateChanges {
  /**
   * One transaction: the guarded record update, its history item, the queue counters and, when the
   * change takes or releases one of its customer's slots, the customer's slot counter (a take
   * conditioned on `change.slot`). `base` is the record the change was decided on; the answer is
   * the record after it.
   */
  changeState(change: StateChange, base: WorksetRecord): Promise<WriteOutcome>;
  /** Records (or clears, with undefined) an unsynced control folder, if the record is still at `version`. */
  markSentinels(input: { worksetId: string; version: number; pending: SentinelSyncPending | undefined }): Promise<void>;
  /** Removes a `deleted` record at `version` and its count; false when it is not that any more. */
  removeRecord(input: { worksetId: string; version: number }): Promise<boolean>;
}

export interface FolderMoves {
  /**
   * Claims a folder move while the record is still at `version` and nobody else's claim is live;
   * the mover releases it once the move's originals are deleted (or the move is given up). The
   * version is not changed.
   */
  claimMove(input: { worksetId: string; version: number; claim: MoveClaim; now: string }): Promise<WriteOutcome>;
  /** Drops the claim with `token` (a move given up, or finished and its originals deleted); someone else's claim is kept. */
  releaseMove(input: { worksetId: string; token: string }): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Registration

export interface IdempotencyRecord {
  readonly idempotency_key: string;
  readonly request_hash: string;
  readonly workset_id: string;
  /** Epoch seconds: DynamoDB TTL removes the record after this; an expired one no longer counts. */
  readonly expires_at: number;
  /** The first answer, replayed as it was (byte for byte once rendered) to a retry with the same key. */
  readonly answer?: WorksetDetail;
}

export type BeginRegistrationResult =
  | { readonly kind: 'created' }
  | { readonly kind: 'unknown-customer' }
  | { readonly kind: 'key-in-use'; readonly existing: IdempotencyRecord }
  | SlotRefusal;

/** A generated workset id already exists (32 random bits collided); the flow draws another. */
export class WorksetIdCollision extends Error {
  constructor(readonly worksetId: string) {
    super(`workset id ${worksetId} already exists`);
  }
}

export interface Registrations {
  /** The same consistent read as WorksetQueries' (registration re-reads its own record). */
  getWorkset(worksetId: string): Promise<WorksetRecord | undefined>;
  /**
   * One atomic write: the customer exists with a slot free (within `slot.limit`), the
   * idempotency key (if any) is unclaimed — or its window ended before the record's `created_at` —,
   * and the `registering` record is new; it takes the slot and counts the workset and its samples
   * in the month of `created_at`. Never overwrites. A key in use is answered before a full quota
   * (its earlier request already holds its slot). Throws WorksetIdCollision.
   */
  beginRegistration(record: WorksetRecord, idempotency: Omit<IdempotencyRecord, 'answer'> | undefined, slot: SlotClaim): Promise<BeginRegistrationResult>;
  /**
   * `registering` → `ready`, recording the answer for idempotent replays, only while
   * `ready_withdrawals` is still `withdrawals`. Returns false when refused: the record is no longer
   * `registering` (a concurrent request completed it first, or it was deleted), or a request
   * withdrew `daylily.ready` since (`fenceReadyWithdrawal`); read the record to tell which.
   * Throws, flipping nothing, when `idempotency` names a key whose record is gone or belongs to
   * another workset (claimed afresh after its window).
   */
  completeRegistration(input: {
    readonly worksetId: string;
    /** The record's customer: the flip's history item (its outbox item) carries it. */
    readonly customerId: string;
    readonly at: string;
    readonly entry: HistoryEntry;
    /** `ready_withdrawals` as read before this request wrote its `daylily.ready` (undefined: absent). */
    readonly withdrawals: number | undefined;
    readonly idempotency?: { readonly key: string; readonly answer: WorksetDetail };
  }): Promise<boolean>;
  /**
   * After `daylily.ready` was withdrawn from a `registering` record's folder: counts the withdrawal
   * (`ready_withdrawals` + 1) if the record is still `registering`, which refuses every flip
   * decided on an earlier count. Returns the record after the count, or undefined when it is not
   * `registering` (or gone).
   */
  fenceReadyWithdrawal(worksetId: string): Promise<WorksetRecord | undefined>;
  /**
   * Removes a record still `registering` (a failed registration nobody can resume), releasing its
   * slot and uncounting its registration in the same write; false when it is not.
   */
  abandonRegistration(worksetId: string): Promise<boolean>;
  getIdempotencyRecord(key: string): Promise<IdempotencyRecord | undefined>;
}

// ---------------------------------------------------------------------------------------------
// Reconciliation: what the reconciler reads besides the queue, and its own conditional writes

/** One shard of the queue counters as read: its count per state (a state never written there is absent). */
export interface CounterShard {
  readonly id: string;
  readonly counts: Readonly<Partial<Record<WorksetState, number>>>;
}

/** Where the reconciler's passes got to: one item, each write conditioned on the version read. */
export interface ReconcilerCursor {
  readonly version: number;
  /** State changes at or after this time are still to be looked at. */
  readonly changesSince?: string;
  /** The scan of the control prefix resumes after this key; absent: from its start. */
  readonly scanAfter?: string;
  /** The state (not an active one) whose counter the next pass recounts. */
  readonly recountNext?: WorksetState;
  /** The quota recount's turn through every customer resumes after this customer id; absent: from the first. */
  readonly quotaAfter?: string;
  readonly updatedAt?: string;
}

export interface Reconciliation {
  /** Records flagged `sentinel_sync_pending`, a page at a time (a sparse index: O(flagged)). */
  flaggedRecords(input: { limit: number; startKey?: string }): Promise<{ items: WorksetRecord[]; nextKey?: string }>;
  /**
   * The state changes written from `since` up to `until`, in time order, a page at a time: each as
   * the event it publishes. O(changes), whatever the table holds.
   */
  changesSince(input: { since: string; until: string; limit: number; startKey?: string }): Promise<{ items: StateChangeDetail[]; nextKey?: string }>;
  /** Consistent reads of several records; those that do not exist are left out. */
  getWorksets(worksetIds: readonly string[]): Promise<WorksetRecord[]>;
  /** How many worksets are in `state`, counted from the records (not the counters). */
  countInState(state: WorksetState): Promise<number>;
  /** The queue counters, shard by shard. */
  counterShards(): Promise<CounterShard[]>;
  /**
   * Adds `delta` to `state`'s count, only while every shard still holds what `shards` read for
   * that state: a state change since then refuses it (false), so a recount never overwrites one.
   */
  adjustCounter(input: { state: WorksetState; delta: number; shards: readonly CounterShard[] }): Promise<boolean>;
  /**
   * The slots each customer's counter item holds (`active_worksets`), read consistently; a
   * customer without one (nothing counted yet) is left out.
   */
  slotCounters(customerIds: readonly string[]): Promise<ReadonlyMap<string, number>>;
  /**
   * Adds `delta` to a customer's slots held, only while its counter still holds `expected`
   * (undefined: no count yet): a slot taken or released since refuses it (false).
   */
  adjustSlots(input: { customerId: string; delta: number; expected: number | undefined }): Promise<boolean>;
  /**
   * Up to `limit` customer ids in id order, after `after` (undefined: from the first): the quota
   * recount's turn through customers none of whose worksets a pass reads. `more` false: the turn
   * reached the last customer.
   */
  customerTurn(after: string | undefined, limit: number): Promise<{ customerIds: string[]; more: boolean }>;
  readCursor(): Promise<ReconcilerCursor | undefined>;
  /** Writes the cursor at `expected` + 1 if it is still at `expected` (undefined: not written yet); false otherwise. */
  writeCursor(cursor: Omit<ReconcilerCursor, 'version'>, expected: number | undefined): Promise<boolean>;
}

/** What a function without control-bucket access is wired with: reads, lease renewals, progress. */
export type WorksetReads = WorksetQueries & WorksetLeases;

/** What the lifecycle's writers are wired with: the reads plus state changes and folder moves. */
export type WorksetLifecycle = WorksetReads & StateChanges & FolderMoves;

/** The whole port, as one implementation provides it. */
export interface WorksetStore extends WorksetQueries, WorksetLeases, StateChanges, FolderMoves, Registrations, Reconciliation {}
