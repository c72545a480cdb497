/**
 * The stores the flows depend on. Adapters (DynamoDB, S3) implement them; the flows never see an
 * SDK type, so they read as the protocol they implement.
 */
import type { ControlObject } from '../domain/control-folder.ts';
import type { AuditEntry, LifecycleRecord, MoveClaim } from '../domain/lifecycle.ts';
import type { QueueStats } from '../domain/queue-stats.ts';
import type { Priority, StateHistoryEntry, WorksetRecord, WorksetState } from '../domain/workset.ts';

/** What a replay of the create route returns: the first answer, byte for byte. */
export interface StoredResponse {
  readonly status: number;
  readonly body: string;
  readonly location: string;
}

export interface IdempotencyRecord {
  readonly idempotency_key: string;
  readonly request_hash: string;
  readonly workset_id: string;
  /** Epoch seconds: DynamoDB TTL removes the record after this; an expired one no longer counts. */
  readonly expires_at: number;
  readonly response?: StoredResponse;
}

export type BeginRegistrationResult =
  | { readonly kind: 'created' }
  | { readonly kind: 'unknown-customer' }
  | { readonly kind: 'key-in-use'; readonly existing: IdempotencyRecord };

export interface WorksetPage {
  readonly items: readonly WorksetRecord[];
  /** Opaque cursor of the next page; absent on the last page. */
  readonly nextToken?: string;
}

export interface WorksetStore {
  /**
   * One atomic write: the customer exists, the idempotency key (if any) is unclaimed, and the
   * `registering` record is new. Never overwrites.
   */
  beginRegistration(record: WorksetRecord, idempotency?: IdempotencyRecord): Promise<BeginRegistrationResult>;
  /**
   * `registering` → `ready`, recording the response for idempotent replays, only while
   * `ready_withdrawals` is still `withdrawals`. Returns false when refused: the record is no longer
   * `registering` (a concurrent request completed it first, or it was deleted), or a request
   * withdrew `daylily.ready` since (`fenceReadyWithdrawal`); read the record to tell which.
   */
  completeRegistration(input: {
    readonly worksetId: string;
    readonly at: string;
    readonly entry: StateHistoryEntry;
    /** `ready_withdrawals` as read before this request wrote its `daylily.ready` (undefined: absent). */
    readonly withdrawals: number | undefined;
    readonly idempotency?: { readonly key: string; readonly response: StoredResponse };
  }): Promise<boolean>;
  /**
   * After `daylily.ready` was withdrawn from a `registering` record's folder: counts the withdrawal
   * (`ready_withdrawals` + 1) if the record is still `registering`, which refuses every flip
   * decided on an earlier count. Returns the record after the count, or undefined when it is not
   * `registering` (or gone).
   */
  fenceReadyWithdrawal(worksetId: string): Promise<WorksetRecord | undefined>;
  /** Removes a record still `registering` (a failed registration nobody can resume); false when it is not. */
  abandonRegistration(worksetId: string): Promise<boolean>;
  getWorkset(worksetId: string): Promise<WorksetRecord | undefined>;
  getIdempotencyRecord(key: string): Promise<IdempotencyRecord | undefined>;
  listCustomerWorksets(
    customerId: string,
    options: { readonly limit: number; readonly nextToken?: string; readonly state?: WorksetState },
  ): Promise<WorksetPage>;
}

export interface ControlBucketStore {
  put(bucket: string, object: ControlObject): Promise<void>;
  /** Deletes the given keys; missing keys are not an error. */
  delete(bucket: string, keys: readonly string[]): Promise<void>;
  /** Every object whose key starts with `prefix` (pass a folder prefix ending in `/`). */
  list(bucket: string, prefix: string): Promise<StoredObject[]>;
  /** Server-side copy inside the bucket (multipart above the single-request limit). */
  copy(bucket: string, from: StoredObject, toKey: string): Promise<void>;
}

export interface StoredObject {
  readonly key: string;
  readonly size: number;
}

/** A generated workset id already exists (32 random bits collided); the flow draws another. */
export class WorksetIdCollision extends Error {
  constructor(readonly worksetId: string) {
    super(`workset id ${worksetId} already exists`);
  }
}

/** One conditional state change, as the lifecycle flows describe it to the store. */
export interface StateChange {
  readonly worksetId: string;
  readonly from: WorksetState;
  readonly to: WorksetState;
  /** The version the decision was made on; the write is conditioned on it (and on `from`). */
  readonly version: number;
  readonly at: string;
  readonly entry: AuditEntry;
  /** The new inline (bounded) history. */
  readonly history: readonly StateHistoryEntry[];
  /** Attributes to set besides state, version, updated_at and the history. */
  readonly set?: Readonly<Record<string, unknown>>;
  /** Attributes to remove. */
  readonly remove?: readonly string[];
  /** Metric keys merged into `metrics` (one level), keeping the others; `exists` as read. */
  readonly metrics?: { readonly merge: Readonly<Record<string, unknown>>; readonly exists: boolean };
  /** The writer must hold the lease, fenced by its epoch. */
  readonly lease?: LeaseClaim;
  /** Ends any lease and fences its holder off (a new run starts). */
  readonly revokeLease?: boolean;
  /** Only if nobody holds a live lease (an operator recovering an abandoned run). */
  readonly noLiveLeaseAt?: string;
  /** Only if the workset belongs to this customer. */
  readonly customerId?: string;
}

export interface LeaseClaim {
  readonly owner: string;
  readonly epoch: number;
}

/** A failed conditional write, with the record as it is now (undefined: there is none). */
export type WriteOutcome = { readonly ok: true; readonly record: LifecycleRecord } | { readonly ok: false; readonly current: LifecycleRecord | undefined };

export type QueueCandidate = Pick<LifecycleRecord, 'workset_id' | 'queue_order' | 'state'>;

export interface HistoryPage {
  readonly entries: readonly AuditEntry[];
  readonly nextToken?: string;
}

export interface LifecyclePage {
  readonly items: readonly LifecycleRecord[];
  readonly nextToken?: string;
}

export interface LifecycleStore {
  getRecord(worksetId: string): Promise<LifecycleRecord | undefined>;
  /**
   * One transaction: the guarded record update, its history item and the queue counters.
   * `base` is the record the change was decided on; the answer is the record after it.
   */
  changeState(change: StateChange, base: LifecycleRecord): Promise<WriteOutcome>;
  /** A new grant (epoch + 1) when lockable and unleased or expired; nothing else. */
  grantLease(input: { worksetId: string; owner: string; now: string; expiresAt: string; classify?: boolean }): Promise<WriteOutcome>;
  /** Extends the live (unexpired) lease of `owner` at `epoch` while the workset is in `states`. */
  renewLease(input: { worksetId: string; owner: string; epoch: number; now: string; expiresAt: string; states: readonly WorksetState[] }): Promise<WriteOutcome>;
  /** Removes the lease fields (never the epoch, never the state). */
  releaseLease(input: { worksetId: string; owner: string; epoch?: number; at: string }): Promise<WriteOutcome>;
  /** Sets progress fields and merges metrics, fenced by the lease, state unchanged. */
  recordProgress(input: { worksetId: string; lease: LeaseClaim; at: string; set: Readonly<Record<string, unknown>>; metrics?: Readonly<Record<string, unknown>>; states: readonly WorksetState[] }): Promise<WriteOutcome>;
  /**
   * Claims a folder move while the record is still at `version` and nobody else's claim is live;
   * the mover releases it once the move's originals are deleted (or the move is given up). The
   * version is not changed.
   */
  claimMove(input: { worksetId: string; version: number; claim: MoveClaim; now: string }): Promise<WriteOutcome>;
  /** Drops the claim with `token` (a move given up, or finished and its originals deleted); someone else's claim is kept. */
  releaseMove(input: { worksetId: string; token: string }): Promise<void>;
  /** Records (or clears, with undefined) an unsynced control folder, if the record is still at `version`. */
  markSentinels(input: { worksetId: string; version: number; pending: LifecycleRecord['sentinel_sync_pending'] }): Promise<void>;
  /** Removes a `deleted` record at `version` and its count. */
  removeRecord(input: { worksetId: string; version: number }): Promise<boolean>;
  /**
   * Candidates for a lease in queue order: unleased or expired, and for `retrying` past their
   * backoff. Only `workset_id`, `queue_order` and `state` are returned.
   */
  queueCandidates(input: { state: 'ready' | 'retrying'; now: string; limit: number; startKey?: Record<string, unknown> }): Promise<{ items: QueueCandidate[]; lastKey?: Record<string, unknown> }>;
  listWorksets(filter: { state?: WorksetState; priority?: Priority; customerId?: string; limit: number; nextToken?: string }): Promise<LifecyclePage>;
  history(worksetId: string, options: { limit: number; nextToken?: string }): Promise<HistoryPage>;
  queueStats(): Promise<QueueStats>;
}
