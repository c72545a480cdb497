/**
 * Leases (locks), separate from state. A grant is ONE conditional write: the workset is lockable
 * (`ready`, or `retrying` past its backoff) and unleased or expired; it increments `lease_epoch`,
 * the fencing token the owner must send with every write. The DynamoDB lease comes first, then
 * `daylily.lock`; a release removes both and never touches the state. The queue (claims) is in
 * queue.ts.
 */
import { hasLiveLease, isLockable, leaseExpiry, LEASE_LIVE_STATES, LOCKABLE_STATES } from '../../domain/lifecycle.ts';
import type { WorksetRecord } from '../../domain/workset.ts';
import { leaseSentinelBody } from '../../domain/sentinel-rules.ts';
import { SENTINELS } from '../../domain/sentinels.ts';
import { ConflictError } from '../../errors.ts';
import type { ControlBucketDeps, TableDeps } from '../deps.ts';
import { syncSentinels } from './sentinel-sync.ts';
import { notFound } from '../ownership.ts';
import { recoverExpiredRun } from './recovery.ts';
import { leaseConflict } from './transition.ts';
import { sentinelStatusOf, toWorksetDetail, type WorksetDetail } from '../../domain/workset-detail.ts';
import type { LeaseAnswer, ReleaseAnswer } from '../../domain/answers.ts';

export interface LeaseRequest {
  readonly worksetId: string;
  readonly owner: string;
  readonly leaseSeconds?: number;
}

/** Shows the lease in the folder: `daylily.lock` (after the DynamoDB grant). */
export async function writeLeaseSentinel(deps: ControlBucketDeps, record: WorksetRecord, at: string) {
  return syncSentinels(deps, record, { delete: [], put: [{ name: SENTINELS.lock, body: leaseSentinelBody(record, at) }] });
}

function notLockable(record: WorksetRecord, now: Date): ConflictError {
  const waiting = record.state === 'retrying' && record.retry_after !== undefined && record.retry_after > now.toISOString();
  return new ConflictError(
    waiting
      ? `Workset ${record.workset_id} is retrying; it can be leased after ${record.retry_after}.`
      : `Workset ${record.workset_id} is ${record.state}; only ready or retrying worksets can be leased.`,
    { current_state: record.state, lockable_states: [...LOCKABLE_STATES], retry_after: record.retry_after ?? null },
  );
}

/** Tries one grant; undefined when the workset is not (or no longer) grantable. */
export async function tryGrant(deps: ControlBucketDeps, request: LeaseRequest, classify = true): Promise<{ record: WorksetRecord; current?: undefined } | { record?: undefined; current: WorksetRecord | undefined }> {
  const now = deps.now();
  const outcome = await deps.worksets.grantLease({
    worksetId: request.worksetId,
    owner: request.owner,
    now: now.toISOString(),
    expiresAt: leaseExpiry(now, request.leaseSeconds ?? deps.defaultLeaseSeconds),
    classify,
  });
  return outcome.ok ? { record: outcome.record } : { current: outcome.current };
}

export async function acquireLease(deps: ControlBucketDeps, request: LeaseRequest): Promise<LeaseAnswer> {
  const granted = await tryGrant(deps, request);
  if (granted.record) {
    const sentinels = await writeLeaseSentinel(deps, granted.record, granted.record.lock_acquired_at ?? deps.now().toISOString());
    return { granted: true, workset: toWorksetDetail(granted.record, sentinels) };
  }
  const current = granted.current;
  if (!current) throw notFound(request.worksetId);
  const now = deps.now();
  if (current.lock_owner === request.owner && hasLiveLease(current, now) && (LOCKABLE_STATES as readonly string[]).includes(current.state)) {
    // The owner asks again for the lease it holds: same epoch, extended.
    const renewed = await deps.worksets.renewLease({
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
  if (current.state === 'in_progress' && current.lock_owner !== undefined && !hasLiveLease(current, now)) {
    // Its worker died: recover the run (retrying after a backoff), then say when it can be leased.
    throw notLockable((await recoverExpiredRun(deps, request.worksetId, request.owner)) ?? current, now);
  }
  if (!isLockable(current, now)) throw notLockable(current, now);
  throw leaseConflict(current, `Workset ${request.worksetId} is leased by another owner until ${current.lease_expires_at}.`);
}

/**
 * Heartbeat: the owner extends its live lease, named by owner AND epoch. An expired lease is not
 * revived (someone may be about to take it over): the worker must acquire again. A 409 carrying
 * `current_state` tells a worker to stop.
 */
export async function refreshLease(deps: TableDeps, request: LeaseRequest & { readonly epoch: number }): Promise<WorksetDetail> {
  const now = deps.now();
  const outcome = await deps.worksets.renewLease({
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
export async function releaseLease(deps: ControlBucketDeps, request: { worksetId: string; owner: string; epoch?: number }): Promise<ReleaseAnswer> {
  const at = deps.now().toISOString();
  const outcome = await deps.worksets.releaseLease({ ...request, at });
  if (outcome.ok) {
    const sentinels = await syncSentinels(deps, outcome.record, { delete: [SENTINELS.lock], put: [] });
    return { released: true, workset: toWorksetDetail(outcome.record, sentinels) };
  }
  const current = outcome.current;
  if (!current) throw notFound(request.worksetId);
  if (current.lock_owner === undefined) return { released: false, workset: toWorksetDetail(current, sentinelStatusOf(current)) };
  throw leaseConflict(current, `${request.owner} does not hold the lease on workset ${request.worksetId}${current.lock_owner === request.owner ? ` at epoch ${request.epoch}` : ''}.`);
}
