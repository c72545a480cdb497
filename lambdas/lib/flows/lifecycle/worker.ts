/**
 * The worker and operator writes: PUT …/state, POST …/progress, POST …/failure. Worker writes
 * carry `owner_id` + `lease_epoch` and are conditioned on both, so a worker that paused past its
 * lease (and was replaced) cannot overwrite newer work.
 */
import {
  decideFailure,
  hasLiveLease,
  LEASE_LIVE_STATES,
  type ErrorCategory,
  type TransitionVia,
} from '../../domain/lifecycle.ts';
import type { WorksetRecord, WorksetState } from '../../domain/workset.ts';
import { InvalidInputError } from '../../errors.ts';
import type { LeaseClaim } from '../../ports/worksets.ts';
import type { ControlBucketDeps, TableDeps } from '../deps.ts';
import { enteringEffects, type WorkerReport } from './effects.ts';
import { notFound } from '../ownership.ts';
import { checkLease, detailOf, leaseConflict, transition } from './transition.ts';
import { toWorksetDetail, type WorksetDetail } from '../../domain/workset-detail.ts';
import type { FailureAnswer } from '../../domain/answers.ts';

export interface SetStateCommand extends WorkerReport {
  readonly worksetId: string;
  readonly state: WorksetState;
  readonly reason: string;
  readonly actor: string;
  /** Both or neither: a worker's lease. */
  readonly lease?: LeaseClaim;
}

/** The ways PUT …/state can move a workset (the customer routes and archive/restore/delete have their own). */
const STATE_ROUTE_VIAS: readonly TransitionVia[] = ['lease', 'operator'];

export async function setState(deps: ControlBucketDeps, command: SetStateCommand): Promise<WorksetDetail> {
  const result = await transition(deps, {
    worksetId: command.worksetId,
    to: command.state,
    // Without a lease, operator transitions come first; worker ones then ask for the lease (400).
    via: command.lease ? STATE_ROUTE_VIAS : [...STATE_ROUTE_VIAS].reverse(),
    reason: command.reason,
    actor: command.actor,
    ...(command.lease ? { lease: command.lease } : {}),
    check: (record, to, via, now) => {
      if (via === 'lease' && !command.lease) {
        throw new InvalidInputError(`${record.state} → ${to} is a worker transition: send the owner_id and lease_epoch of the lease.`, [
          { field: 'owner_id', message: 'is required for this transition' },
          { field: 'lease_epoch', message: 'is required for this transition' },
        ]);
      }
      if (via === 'operator' && record.state === 'in_progress' && to === 'error' && !command.lease && hasLiveLease(record, now)) {
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

/** Progress never changes the state; it needs the lease and a workset that is still live. */
export async function recordProgress(deps: TableDeps, command: ProgressCommand): Promise<WorksetDetail> {
  const set: Record<string, unknown> = {};
  for (const field of ['current_step', 'started_at', 'finished_at', 'cluster_name'] as const) {
    if (command[field] !== undefined) set[field] = command[field];
  }
  const outcome = await deps.worksets.recordProgress({
    worksetId: command.worksetId,
    lease: command.lease,
    at: deps.now().toISOString(),
    set,
    ...(command.metrics ? { metrics: command.metrics } : {}),
    states: LEASE_LIVE_STATES,
  });
  if (outcome.ok) return toWorksetDetail(outcome.record);
  const current: WorksetRecord | undefined = outcome.current;
  if (!current) throw notFound(command.worksetId);
  checkLease(current, command.lease);
  throw leaseConflict(current, `Workset ${command.worksetId} is ${current.state}; stop working on it and release the lease.`);
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
    effects: (record, _to, _via, now) => {
      const decision = decideFailure(record, command.error_category, now);
      return {
        reason: decision.reason,
        entryExtra: { error_category: command.error_category },
        set: {
          retry_count: decision.retryCount,
          max_retries: decision.maxRetries,
          error_details: command.error_details,
          error_category: command.error_category,
          failed_step: command.failed_step ?? 'unknown',
          ...(decision.retryAfter ? { retry_after: decision.retryAfter } : {}),
        },
        remove: decision.retryAfter ? [] : ['retry_after'],
        revokeLease: true,
      };
    },
  });
  return { retry_scheduled: result.record.state === 'retrying', workset: detailOf(result) };
}
