/**
 * The workset lifecycle: the one transition table, the lease and retry rules, and the lifecycle
 * fields of the record. Pure: every store and flow asks this module what is allowed and what a
 * change writes; nothing else decides a transition.
 */
import { hasLoneSurrogate } from './plain-text.ts';
import { INLINE_HISTORY_LIMIT, WORKSET_STATES, type HistoryEntry, type WorksetRecord, type WorksetState } from './workset.ts';

/**
 * How a transition is made, which also says who may make it:
 * - `lease`: a worker holding the live lease, fenced by `lease_epoch` (PUT …/state, POST …/failure);
 * - `operator`: an operator through PUT …/state, no lease;
 * - `cancel`, `retry`, `archive`, `restore`, `delete`: the customer action of that name;
 * - `failure`: POST …/failure (a worker with the lease);
 * - `expiry`: the protocol itself, when a run's lease ran out with nobody heartbeating it (a
 *   worker's claim or acquire finds it; flows/lifecycle/recovery.ts);
 * - `registration`: only the registration flow.
 */
export type TransitionVia = 'lease' | 'operator' | 'failure' | 'expiry' | 'cancel' | 'retry' | 'archive' | 'restore' | 'delete' | 'registration';

/** The customer actions: a 409 from one of them lists where the others could take the workset. */
export const CUSTOMER_VIAS: readonly TransitionVia[] = ['cancel', 'retry', 'archive', 'restore', 'delete'];

/**
 * THE transition table: from → target → how. Anything not listed is forbidden (409).
 * Terminal-for-work states (complete, error, failed, canceled, ignored) can only be retried
 * (error, failed, canceled), archived or deleted; `registering` only completes or is deleted;
 * `deleted` is final.
 */
export const TRANSITIONS: Readonly<Record<WorksetState, Readonly<Partial<Record<WorksetState, readonly TransitionVia[]>>>>> = {
  // A keyed registration that failed and is never retried stays registering: its owner can delete it
  // (the registration's completion is conditioned on `registering`, so it never revives it).
  registering: { ready: ['registration'], deleted: ['delete'] },
  ready: { in_progress: ['lease'], canceled: ['cancel', 'operator'], ignored: ['operator'], deleted: ['delete'] },
  in_progress: {
    complete: ['lease'],
    error: ['lease', 'operator'],
    retrying: ['failure', 'expiry'],
    failed: ['failure', 'expiry'],
    canceled: ['cancel', 'operator'],
  },
  retrying: { in_progress: ['lease'], ready: ['operator'], canceled: ['cancel', 'operator'], deleted: ['delete'] },
  complete: { archived: ['archive'], deleted: ['delete'] },
  error: { ready: ['retry', 'operator'], archived: ['archive'], deleted: ['delete'] },
  failed: { ready: ['retry', 'operator'], archived: ['archive'], deleted: ['delete'] },
  canceled: { ready: ['retry', 'operator'], archived: ['archive'], deleted: ['delete'] },
  ignored: { ready: ['operator'], archived: ['archive'], deleted: ['delete'] },
  archived: { complete: ['restore'], canceled: ['restore'], ignored: ['restore'], ready: ['restore'], deleted: ['delete'] },
  deleted: {},
};

/** States a lease can be granted in (`retrying` only once its backoff has passed). */
export const LOCKABLE_STATES = ['ready', 'retrying'] as const satisfies readonly WorksetState[];
/** States whose lease holder may still heartbeat: work is pending or running. */
export const LEASE_LIVE_STATES = ['ready', 'retrying', 'in_progress'] as const satisfies readonly WorksetState[];
/** States a workset may be archived from. */
export const ARCHIVABLE_STATES = ['complete', 'error', 'failed', 'canceled', 'ignored'] as const satisfies readonly WorksetState[];

/** Every target reachable from `from`, in WORKSET_STATES order. */
export function allowedTargets(from: WorksetState, via?: TransitionVia | readonly TransitionVia[]): WorksetState[] {
  const ways = via === undefined ? undefined : Array.isArray(via) ? via : [via];
  return WORKSET_STATES.filter((to) => {
    const how = TRANSITIONS[from][to];
    return how !== undefined && (ways === undefined || how.some((way) => ways.includes(way)));
  });
}

/** How `from → to` may be made, or undefined when the table forbids it. */
export function transitionVia(from: WorksetState, to: WorksetState): readonly TransitionVia[] | undefined {
  return TRANSITIONS[from][to];
}

export function isAllowed(from: WorksetState, to: WorksetState, via: TransitionVia): boolean {
  return transitionVia(from, to)?.includes(via) ?? false;
}

/** The body of a 409 for a forbidden transition: where the workset is and where it could go. */
export interface TransitionConflict {
  readonly current_state: WorksetState;
  readonly requested_state: WorksetState;
  readonly allowed_states: readonly WorksetState[];
}

export function describeForbidden(from: WorksetState, to: WorksetState, via?: TransitionVia | readonly TransitionVia[]): { message: string; details: TransitionConflict } {
  const allowed = allowedTargets(from, via);
  return {
    message:
      `Workset is ${from}; it cannot become ${to} this way.` +
      (allowed.length > 0 ? ` Allowed from ${from}: ${allowed.join(', ')}.` : ` Nothing can move a ${from} workset this way.`),
    details: { current_state: from, requested_state: to, allowed_states: allowed },
  };
}

// ---------------------------------------------------------------------------------------------
// The record's lifecycle fields
// ---------------------------------------------------------------------------------------------

export const ERROR_CATEGORIES = ['transient', 'resource', 'configuration', 'data', 'permanent'] as const;
export type ErrorCategory = (typeof ERROR_CATEGORIES)[number];
/** Categories worth retrying: the same run may succeed later. */
export const RETRYABLE_CATEGORIES: readonly ErrorCategory[] = ['transient', 'resource'];

export const DEFAULT_MAX_RETRIES = 3;

// ---------------------------------------------------------------------------------------------
// Metrics: what a worker reports, bounded so a record (and a listing of records) stays small
// ---------------------------------------------------------------------------------------------

/** Keys a workset's metrics may hold in all (each progress call merges into them). */
export const MAX_METRIC_KEYS_PER_WORKSET = 100;
export const MAX_METRIC_TEXT = 256;
export const MAX_METRIC_DEPTH = 4;
export const MAX_METRIC_VALUE_BYTES = 512;

/**
 * How many keys a record's metrics may hold before merging `incoming` without passing the bound
 * (the write is conditioned on it), or undefined when the merge itself would pass it. Keys it
 * already has do not count twice.
 */
export function metricsKeysAtMost(current: Readonly<Record<string, unknown>> | undefined, incoming: Readonly<Record<string, unknown>>): number | undefined {
  const added = Object.keys(incoming).filter((key) => !(current && key in current)).length;
  const after = Object.keys(current ?? {}).length + added;
  return after > MAX_METRIC_KEYS_PER_WORKSET ? undefined : MAX_METRIC_KEYS_PER_WORKSET - added;
}

/** A number DynamoDB stores as given: finite, and 0 or between 1e-130 and 1e126 in magnitude (38 digits is more than a double has). */
export function isStorableNumber(value: number): boolean {
  const magnitude = Math.abs(value);
  return Number.isFinite(value) && (magnitude === 0 || (magnitude >= 1e-130 && magnitude < 1e126));
}

/**
 * A metric value: text (without unpaired surrogates), a storable number, a boolean, null, or a list
 * or map of those, at most MAX_METRIC_DEPTH levels and MAX_METRIC_VALUE_BYTES as JSON.
 */
export function isMetricValue(value: unknown): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node === 'boolean') continue;
    if (typeof node === 'number') {
      if (!isStorableNumber(node)) return false;
    } else if (typeof node === 'string') {
      if (node.length > MAX_METRIC_TEXT || hasLoneSurrogate(node)) return false;
    } else if (typeof node === 'object' && depth < MAX_METRIC_DEPTH) {
      for (const child of Object.values(node)) stack.push([child, depth + 1]);
    } else {
      return false;
    }
  }
  return JSON.stringify(value).length <= MAX_METRIC_VALUE_BYTES;
}
export const RETRY_BASE_SECONDS = 2;
export const RETRY_CAP_SECONDS = 60 * 60;

/** What the control folder should hold but may not (a sentinel write failed after retries). */
export interface SentinelSyncPending {
  readonly state: WorksetState;
  readonly lock: boolean;
  readonly since: string;
}

/**
 * A folder move (archive, restore) in progress: one request copies at a time. It expires after
 * MOVE_CLAIM_SECONDS, by when the Lambda that made it has certainly stopped.
 */
export interface MoveClaim {
  readonly to: string;
  readonly token: string;
  readonly expires_at: string;
}

/** Lambda's longest run: a claim older than this belongs to a request that is gone. */
export const MOVE_CLAIM_SECONDS = 15 * 60;

export function recordVersion(record: Pick<WorksetRecord, 'version'>): number {
  return record.version ?? 0;
}

/** The inline history after appending `entry`: the latest INLINE_HISTORY_LIMIT entries, without `error_category`. */
export function boundedHistory(current: readonly HistoryEntry[], entry: HistoryEntry): HistoryEntry[] {
  const { from, to, reason, actor, at } = entry;
  return [...current, { from, to, reason, actor, at }].slice(-INLINE_HISTORY_LIMIT);
}

/** Zero-padded so history entry ids sort in version order. */
export function historyEntryId(version: number): string {
  return String(version).padStart(10, '0');
}

// ---------------------------------------------------------------------------------------------
// Leases
// ---------------------------------------------------------------------------------------------

export const DEFAULT_LEASE_SECONDS = 60 * 60;
export const MAX_LEASE_SECONDS = 12 * 60 * 60;

export function leaseExpiry(now: Date, seconds: number): string {
  return new Date(now.getTime() + seconds * 1000).toISOString();
}

export function hasLiveLease(record: Pick<WorksetRecord, 'lock_owner' | 'lease_expires_at'>, now: Date): boolean {
  return record.lock_owner !== undefined && record.lease_expires_at !== undefined && record.lease_expires_at > now.toISOString();
}

/** Whether a new lease could be granted now (the condition the store writes, evaluated in memory). */
export function isLockable(record: Pick<WorksetRecord, 'state' | 'retry_after'>, now: Date): boolean {
  if (record.state === 'ready') return true;
  return record.state === 'retrying' && (record.retry_after === undefined || record.retry_after <= now.toISOString());
}

/** What every answer that grants or uses a lease carries. */
export interface LeaseView {
  readonly lock_owner: string | null;
  readonly lease_epoch: number | null;
  readonly lease_expires_at: string | null;
}

export function leaseView(record: Pick<WorksetRecord, 'lock_owner' | 'lease_epoch' | 'lease_expires_at'>): LeaseView {
  return {
    lock_owner: record.lock_owner ?? null,
    lease_epoch: record.lease_epoch ?? null,
    lease_expires_at: record.lock_owner ? (record.lease_expires_at ?? null) : null,
  };
}

// ---------------------------------------------------------------------------------------------
// Failures and retries
// ---------------------------------------------------------------------------------------------

export interface FailureDecision {
  readonly to: 'retrying' | 'failed';
  /** retry_count after this failure. */
  readonly retryCount: number;
  readonly maxRetries: number;
  /** When the workset may be claimed again (only when retrying). */
  readonly retryAfter?: string;
  readonly backoffSeconds?: number;
  readonly reason: string;
}

/** Backoff before retry number `retryCount + 1`: 2 s, 4 s, 8 s … capped at an hour. Integers only. */
export function backoffSeconds(retryCount: number): number {
  // 2^n overflows nothing here: the cap is reached at n = 11.
  return Math.min(RETRY_BASE_SECONDS * 2 ** Math.min(retryCount, 31), RETRY_CAP_SECONDS);
}

export function decideFailure(
  record: Pick<WorksetRecord, 'retry_count' | 'max_retries'>,
  category: ErrorCategory,
  now: Date,
): FailureDecision {
  const previous = record.retry_count ?? 0;
  const maxRetries = record.max_retries ?? DEFAULT_MAX_RETRIES;
  const retryCount = previous + 1;
  if (previous < maxRetries && RETRYABLE_CATEGORIES.includes(category)) {
    const seconds = backoffSeconds(previous);
    return {
      to: 'retrying',
      retryCount,
      maxRetries,
      backoffSeconds: seconds,
      retryAfter: new Date(now.getTime() + seconds * 1000).toISOString(),
      reason: `Retry ${retryCount}/${maxRetries} after ${category} error`,
    };
  }
  return {
    to: 'failed',
    retryCount,
    maxRetries,
    reason: RETRYABLE_CATEGORIES.includes(category)
      ? `Permanent failure after ${previous} retries: ${category}`
      : `Permanent failure: ${category} error is not retried`,
  };
}

// ---------------------------------------------------------------------------------------------
// Archive locations
// ---------------------------------------------------------------------------------------------

/** Where `restore` takes a workset archived from `from`: back, except error/failed go to ready. */
export function restoreTarget(archivedFrom: WorksetState | undefined): WorksetState {
  if (archivedFrom === 'complete' || archivedFrom === 'canceled' || archivedFrom === 'ignored') return archivedFrom;
  return 'ready';
}
