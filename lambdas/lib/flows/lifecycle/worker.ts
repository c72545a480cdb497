/**
 * The worker and operator writes: PUT …/state, POST …/progress, POST …/failure (a worker, under
 * its lease) and PUT …/override (an operator). Worker writes carry `owner_id` + `lease_epoch` and
 * are conditioned on both, so a worker that paused past its lease (and was replaced) cannot
 * overwrite newer work; an override is a route of its own, which IAM gives operators only.
 */
import {
  decideFailure,
  hasLiveLease,
  LEASE_LIVE_STATES,
  type ErrorCategory,
} from '../../domain/lifecycle.ts';
import type { WorksetRecord, WorksetState } from '../../domain/workset.ts';
import type { LeaseClaim } from '../../ports/worksets.ts';
import type { ControlBucketDeps, TableDeps } from '../deps.ts';
import { enteringEffects, failureEffects, metricsRoom, type WorkerReport } from './effects.ts';
import { notFound } from '../ownership.ts';
import { checkLease, detailOf, leaseConflict, transition } from './transition.ts';
import { toWorksetDetail, type WorksetDetail } from '../../domain/workset-detail.ts';
import type { FailureAnswer } from '../../domain/answers.ts';

export interface SetStateCommand extends WorkerReport {
  readonly worksetId: string;
  readonly state: WorksetState;
  readonly reason: string;
  readonly actor: string;
  readonly lease: LeaseClaim;
}

/** A worker's transition (start, complete, error), under its lease. */
export async function setState(deps: ControlBucketDeps, command: SetStateCommand): Promise<WorksetDetail> {
  const result = await transition(deps, {
    worksetId: command.worksetId,
    to: command.state,
    via: ['lease'],
    // A 409 also says where an operator could take it (PUT …/override).
    reportVia: ['lease', 'operator'],
    reason: command.reason,
    actor: command.actor,
    lease: command.lease,
    effects: (record, to, via, now) => enteringEffects(record, to, via, now, command),
  });
  return detailOf(result);
}

export interface OverrideCommand extends Omit<WorkerReport, 'metrics'> {
  readonly worksetId: string;
  readonly state: WorksetState;
  readonly reason: string;
  readonly actor: string;
}

/**
 * An operator's transition, without a lease (cancel, ignore, send back to ready, end a run whose
 * worker is gone). A run under a live lease is its worker's: an operator may cancel it, not end it.
 */
export async function overrideState(deps: ControlBucketDeps, command: OverrideCommand): Promise<WorksetDetail> {
  const result = await transition(deps, {
    worksetId: command.worksetId,
    to: command.state,
    via: ['operator'],
    reportVia: ['operator', 'lease'],
    reason: command.reason,
    actor: command.actor,
    check: (record, to, _via, now) => {
      if (record.state === 'in_progress' && to === 'error' && hasLiveLease(record, now)) {
        throw leaseConflict(record, `Workset ${record.workset_id} is running under a live lease; only its holder can end it (or cancel it).`);
      }
    },
    effects: (record, to, via, now) => enteringEffects(record, to, via, now, command),
  });
  return detailOf(result);
}

export interface ProgressCommand {
  readonly worksetId: string;
  readonly lease: LeaseClaim;
  readonly current_step?: string;
  readonly started_at?: string;
  readonly finished_at?: string;
  readonly cluster_name?: string;
  readonly metrics?: Readonly<Record<string, unknown>>;
}

/** Writes of progress that may lose to concurrent metric merges before they give up. */
const PROGRESS_ATTEMPTS = 3;

/**
 * Progress never changes the state; it needs the live lease and a workset that is still live. Its
 * metrics are merged only while the workset stays within its metric bound: the first write assumes
 * every key is new (no read), and a refused one is retried with the bound the record shows.
 */
export async function recordProgress(deps: TableDeps, command: ProgressCommand): Promise<WorksetDetail> {
  const set: Record<string, unknown> = {};
  for (const field of ['current_step', 'started_at', 'finished_at', 'cluster_name'] as const) {
    if (command[field] !== undefined) set[field] = command[field];
  }
  const incoming = command.metrics && Object.keys(command.metrics).length > 0 ? command.metrics : undefined;
  let keysAtMost = incoming ? metricsRoom({ workset_id: command.worksetId, metrics: undefined }, incoming) : 0;
  for (let attempt = 1; ; attempt += 1) {
    const at = deps.now();
    const outcome = await deps.worksets.recordProgress({
      worksetId: command.worksetId,
      lease: command.lease,
      at: at.toISOString(),
      set,
      ...(incoming ? { metrics: { merge: incoming, keysAtMost } } : {}),
      states: LEASE_LIVE_STATES,
    });
    if (outcome.ok) return toWorksetDetail(outcome.record);
    const current: WorksetRecord | undefined = outcome.current;
    if (!current) throw notFound(command.worksetId);
    checkLease(current, command.lease);
    if (!hasLiveLease(current, at)) {
      throw leaseConflict(current, `The lease on workset ${command.worksetId} expired at ${current.lease_expires_at}; stop working on it: its run will be recovered and retried.`);
    }
    if (!(LEASE_LIVE_STATES as readonly string[]).includes(current.state)) {
      throw leaseConflict(current, `Workset ${command.worksetId} is ${current.state}; stop working on it and release the lease.`);
    }
    // Refused by the metric bound as the first write assumed it: decide on the record as it is.
    if (!incoming || attempt >= PROGRESS_ATTEMPTS) throw leaseConflict(current, `Workset ${command.worksetId} kept changing while its progress was written; retry.`);
    keysAtMost = metricsRoom(current, incoming);
  }
}

export interface FailureCommand {
  readonly worksetId: string;
  readonly lease: LeaseClaim;
  readonly actor: string;
  readonly error_details: string;
  readonly error_category: ErrorCategory;
  readonly failed_step?: string;
}

/**
 * A run failed: `retrying` with exponential backoff while retries remain and the category is
 * worth retrying, else `failed`. The run is over either way, so its lease ends (and its epoch
 * with it): after the backoff any worker may claim the workset again.
 */
export async function recordFailure(deps: ControlBucketDeps, command: FailureCommand): Promise<FailureAnswer> {
  const result = await transition(deps, {
    worksetId: command.worksetId,
    to: (record, now) => decideFailure(record, command.error_category, now).to,
    via: ['failure'],
    reason: 'failure',
    actor: command.actor,
    lease: command.lease,
    effects: (record, _to, _via, now) => failureEffects(record, { category: command.error_category, details: command.error_details, step: command.failed_step ?? 'unknown' }, now),
  });
  return { retry_scheduled: result.record.state === 'retrying', workset: detailOf(result) };
}
