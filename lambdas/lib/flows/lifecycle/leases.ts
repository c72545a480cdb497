/**
 * Leases (locks), separate from state. A grant is ONE conditional write: the workset is lockable
 * (`ready`, or `retrying` past its backoff) and unleased or expired; it increments `lease_epoch`,
 * the fencing token the owner must send with every write. The DynamoDB lease comes first, then
 * `daylily.lock`; a release removes both and never touches the state.
 */
import { hasLiveLease, isLockable, leaseExpiry, LEASE_LIVE_STATES, LOCKABLE_STATES, type LifecycleRecord } from '../../domain/lifecycle.ts';
import { lockSentinelBody } from '../../domain/sentinel-rules.ts';
import { SENTINELS } from '../../domain/sentinels.ts';
import { ConflictError } from '../../errors.ts';
import type { QueueCandidate } from '../../stores/ports.ts';
import type { LifecycleDeps, LifecycleReadDeps } from './deps.ts';
import { syncSentinels } from './sentinels.ts';
import { notFound } from '../ownership.ts';
import { leaseConflict } from './transition.ts';
import { sentinelStatusOf, toWorksetDetail, type WorksetDetail } from '../../domain/workset-detail.ts';

export interface LeaseRequest {
  readonly worksetId: string;
  readonly owner: string;
  readonly leaseSeconds?: number;
}

export interface LeaseAnswer {
  /** True when this call made a new grant (a new epoch); false for the owner's idempotent re-acquire. */
  readonly granted: boolean;
  readonly workset: WorksetDetail;
}

async function writeLockSentinel(deps: LifecycleDeps, record: LifecycleRecord, at: string) {
  return syncSentinels(deps, record, { delete: [], put: [{ name: SENTINELS.lock, body: lockSentinelBody(record, at) }] });
}

function notLockable(record: LifecycleRecord, now: Date): ConflictError {
  const waiting = record.state === 'retrying' && record.retry_after !== undefined && record.retry_after > now.toISOString();
  return new ConflictError(
    waiting
      ? `Workset ${record.workset_id} is retrying; it can be leased after ${record.retry_after}.`
      : `Workset ${record.workset_id} is ${record.state}; only ready or retrying worksets can be leased.`,
    { current_state: record.state, lockable_states: [...LOCKABLE_STATES], retry_after: record.retry_after ?? null },
  );
}

/** Tries one grant; undefined when the workset is not (or no longer) grantable. */
export async function tryGrant(deps: LifecycleDeps, request: LeaseRequest, classify = true): Promise<{ record: LifecycleRecord; current?: undefined } | { record?: undefined; current: LifecycleRecord | undefined }> {
  const now = deps.now();
  const outcome = await deps.store.grantLease({
    worksetId: request.worksetId,
    owner: request.owner,
    now: now.toISOString(),
    expiresAt: leaseExpiry(now, request.leaseSeconds ?? deps.defaultLeaseSeconds),
    classify,
  });
  return outcome.ok ? { record: outcome.record } : { current: outcome.current };
}

export async function acquireLease(deps: LifecycleDeps, request: LeaseRequest): Promise<LeaseAnswer> {
  const granted = await tryGrant(deps, request);
  if (granted.record) {
    const sentinels = await writeLockSentinel(deps, granted.record, granted.record.lock_acquired_at ?? deps.now().toISOString());
    return { granted: true, workset: toWorksetDetail(granted.record, sentinels) };
  }
  const current = granted.current;
  if (!current) throw notFound(request.worksetId);
  const now = deps.now();
  if (current.lock_owner === request.owner && hasLiveLease(current, now) && (LOCKABLE_STATES as readonly string[]).includes(current.state)) {
    // The owner asks again for the lease it holds: same epoch, extended.
    const renewed = await deps.store.renewLease({
      worksetId: request.worksetId,
      owner: request.owner,
      epoch: current.lease_epoch ?? 0,
      now: now.toISOString(),
      expiresAt: leaseExpiry(now, request.leaseSeconds ?? deps.defaultLeaseSeconds),
      states: LOCKABLE_STATES,
    });
    if (renewed.ok) return { granted: false, workset: toWorksetDetail(renewed.record) };
    if (!renewed.current) throw notFound(request.worksetId);
    throw leaseConflict(renewed.current, `The lease on workset ${request.worksetId} changed while it was being re-acquired.`);
  }
  if (!isLockable(current, now)) throw notLockable(current, now);
  throw leaseConflict(current, `Workset ${request.worksetId} is leased by another owner until ${current.lease_expires_at}.`);
}

/**
 * Heartbeat: the owner extends its live lease, named by owner AND epoch. An expired lease is not
 * revived (someone may be about to take it over): the worker must acquire again. A 409 carrying
 * `current_state` tells a worker to stop.
 */
export async function refreshLease(deps: LifecycleReadDeps, request: LeaseRequest & { readonly epoch: number }): Promise<WorksetDetail> {
  const now = deps.now();
  const outcome = await deps.store.renewLease({
    worksetId: request.worksetId,
    owner: request.owner,
    epoch: request.epoch,
    now: now.toISOString(),
    expiresAt: leaseExpiry(now, request.leaseSeconds ?? deps.defaultLeaseSeconds),
    states: LEASE_LIVE_STATES,
  });
  if (outcome.ok) return toWorksetDetail(outcome.record);
  const current = outcome.current;
  if (!current) throw notFound(request.worksetId);
  if (current.lock_owner !== request.owner) {
    throw leaseConflict(current, `${request.owner} does not hold the lease on workset ${request.worksetId}; stop working on it.`);
  }
  if (current.lease_epoch !== request.epoch) {
    throw leaseConflict(current, `lease_epoch ${request.epoch} is stale (the lease is at ${current.lease_epoch ?? 0}); stop working on it.`);
  }
  if (!hasLiveLease(current, now)) {
    throw leaseConflict(current, `The lease on workset ${request.worksetId} expired at ${current.lease_expires_at}; acquire it again before working on it.`);
  }
  throw leaseConflict(current, `Workset ${request.worksetId} is ${current.state}; stop working on it and release the lease.`);
}

/** The owner gives the lease back (state untouched). Releasing a lease nobody holds is a no-op. */
export async function releaseLease(deps: LifecycleDeps, request: { worksetId: string; owner: string; epoch?: number }): Promise<{ released: boolean; workset: WorksetDetail }> {
  const at = deps.now().toISOString();
  const outcome = await deps.store.releaseLease({ ...request, at });
  if (outcome.ok) {
    const sentinels = await syncSentinels(deps, outcome.record, { delete: [SENTINELS.lock], put: [] });
    return { released: true, workset: toWorksetDetail(outcome.record, sentinels) };
  }
  const current = outcome.current;
  if (!current) throw notFound(request.worksetId);
  if (current.lock_owner === undefined) return { released: false, workset: toWorksetDetail(current, sentinelStatusOf(current)) };
  throw leaseConflict(current, `${request.owner} does not hold the lease on workset ${request.worksetId}${current.lock_owner === request.owner ? ` at epoch ${request.epoch}` : ''}.`);
}

// ---------------------------------------------------------------------------------------------
// The queue
// ---------------------------------------------------------------------------------------------

/** Items evaluated per index page (the filter drops leased ones after the limit applies). */
const CANDIDATE_PAGE = 100;
/**
 * Pages read for one source before giving up. Leased worksets stay `ready` until their worker
 * starts them, so the head of the index can hold many leased items; a claim must read past all
 * of them rather than answer 204 while unleased work remains (100,000 items at most).
 */
const MAX_PAGES = 1000;
const MAX_VISITS = 1000;

/**
 * Leasable worksets in queue order: `ready` and `retrying` past their backoff, merged by
 * `queue_order` (urgent, normal, low; oldest first). `visit` returns true to stop.
 */
async function walkQueue(deps: LifecycleReadDeps, visit: (candidate: QueueCandidate) => Promise<boolean>): Promise<void> {
  const sources = (['ready', 'retrying'] as const).map((state) => ({ state, buffer: [] as QueueCandidate[], startKey: undefined as Record<string, unknown> | undefined, done: false }));
  for (let visits = 0; visits < MAX_VISITS; visits += 1) {
    const now = deps.now().toISOString();
    for (const source of sources) {
      if (source.buffer.length === 0 && !source.done) {
        // A filtered page can come back empty while more remain: keep reading until something or the end.
        for (let page = 0; page < MAX_PAGES && source.buffer.length === 0 && !source.done; page += 1) {
          const result = await deps.store.queueCandidates({ state: source.state, now, limit: CANDIDATE_PAGE, ...(source.startKey ? { startKey: source.startKey } : {}) });
          source.buffer.push(...result.items);
          source.startKey = result.lastKey;
          source.done = result.lastKey === undefined;
        }
      }
    }
    const heads = sources.filter((source) => source.buffer.length > 0);
    if (heads.length === 0) return;
    const next = heads.reduce((best, source) => (source.buffer[0]!.queue_order < best.buffer[0]!.queue_order ? source : best));
    if (await visit(next.buffer.shift()!)) return;
  }
}

/** GET /worksets/next: the workset a claim would try first (nothing is leased). */
export async function nextWorkset(deps: LifecycleReadDeps): Promise<WorksetDetail | undefined> {
  let found: LifecycleRecord | undefined;
  await walkQueue(deps, async (candidate) => {
    found = await deps.store.getRecord(candidate.workset_id);
    return found !== undefined;
  });
  return found && toWorksetDetail(found);
}

/** POST /worksets/claim: leases the first workset it can, in queue order; undefined when none. */
export async function claimNext(deps: LifecycleDeps, request: { owner: string; leaseSeconds?: number }): Promise<WorksetDetail | undefined> {
  let claimed: WorksetDetail | undefined;
  await walkQueue(deps, async (candidate) => {
    // Another worker may have taken it since the (eventually consistent) index read: the
    // conditional grant decides, and a loser moves on to the next candidate.
    const granted = await tryGrant(deps, { worksetId: candidate.workset_id, owner: request.owner, ...(request.leaseSeconds ? { leaseSeconds: request.leaseSeconds } : {}) }, false);
    if (!granted.record) return false;
    const sentinels = await writeLockSentinel(deps, granted.record, granted.record.lock_acquired_at ?? deps.now().toISOString());
    claimed = toWorksetDetail(granted.record, sentinels);
    return true;
  });
  return claimed;
}
