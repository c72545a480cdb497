/** What entering a state writes besides the state itself (one place, used by every route). */
import { decideFailure, MAX_METRIC_KEYS_PER_WORKSET, metricsKeysAtMost, type ErrorCategory, type TransitionVia } from '../../domain/lifecycle.ts';
import { InvalidInputError } from '../../errors.ts';
import type { WorksetRecord, WorksetState } from '../../domain/workset.ts';
import type { ChangeEffects } from './transition.ts';

/** Fields of one run: a new run (back to `ready` after it ended) starts without them. */
const RUN_FIELDS = ['retry_after', 'current_step', 'started_at', 'finished_at', 'canceled_at', 'cancel_reason'] as const;
const FAILURE_FIELDS = ['error_details', 'error_category', 'failed_step'] as const;

export interface WorkerReport {
  readonly error_details?: string;
  readonly cluster_name?: string;
  readonly metrics?: Readonly<Record<string, unknown>>;
}

/** How many keys the record's metrics may hold for this merge; a 400 when the merge would pass the bound. */
export function metricsRoom(record: Pick<WorksetRecord, 'metrics' | 'workset_id'>, merge: Readonly<Record<string, unknown>>): number {
  const keysAtMost = metricsKeysAtMost(record.metrics, merge);
  if (keysAtMost === undefined) {
    throw new InvalidInputError(`Workset ${record.workset_id} would hold more than ${MAX_METRIC_KEYS_PER_WORKSET} metric keys; report fewer or reuse keys.`, [
      { field: 'metrics', message: `would take the workset past ${MAX_METRIC_KEYS_PER_WORKSET} metric keys` },
    ]);
  }
  return keysAtMost;
}

/**
 * What a failed run writes: `retrying` with its backoff while retries remain and the category is
 * worth retrying, else `failed`. The run is over either way, so its lease ends (and its epoch with
 * it): after the backoff any worker may claim the workset again.
 */
export function failureEffects(record: WorksetRecord, failure: { category: ErrorCategory; details: string; step: string }, now: Date): ChangeEffects {
  const decision = decideFailure(record, failure.category, now);
  return {
    reason: decision.reason,
    entryExtra: { error_category: failure.category },
    set: {
      retry_count: decision.retryCount,
      max_retries: decision.maxRetries,
      error_details: failure.details,
      error_category: failure.category,
      failed_step: failure.step,
      ...(decision.retryAfter ? { retry_after: decision.retryAfter } : {}),
    },
    remove: decision.retryAfter ? [] : ['retry_after'],
    revokeLease: true,
  };
}

export function enteringEffects(record: WorksetRecord, to: WorksetState, via: TransitionVia, now: Date, report: WorkerReport = {}): ChangeEffects {
  const at = now.toISOString();
  const set: Record<string, unknown> = {};
  const remove: string[] = [];
  let revokeLease = false;
  if (report.cluster_name !== undefined) set.cluster_name = report.cluster_name;
  if (report.error_details !== undefined) set.error_details = report.error_details;

  switch (to) {
    case 'ready':
      // A new run: whoever held a lease on the old one is fenced off (its epoch is dead).
      revokeLease = true;
      if (record.state === 'retrying' || record.state === 'ignored') {
        remove.push('retry_after');
      } else {
        // retry (error, failed, canceled) and restore start over, with fresh retry counters.
        set.retry_count = 0;
        remove.push(...RUN_FIELDS, ...(report.error_details === undefined ? FAILURE_FIELDS : []));
      }
      break;
    case 'in_progress':
      remove.push('retry_after');
      break;
    case 'canceled':
      set.canceled_at = at;
      break;
    case 'deleted':
      set.deleted_at = at;
      break;
    default:
      break;
  }
  const metrics = report.metrics && Object.keys(report.metrics).length > 0 ? { merge: report.metrics, exists: record.metrics !== undefined, keysAtMost: metricsRoom(record, report.metrics) } : undefined;
  // An operator may end a run nobody is heartbeating (the worker died): only without a live lease.
  const noLiveLeaseAt = via === 'operator' && record.state === 'in_progress' && to === 'error' ? at : undefined;
  return {
    set,
    remove: remove.filter((attribute) => !(attribute in set)),
    ...(metrics ? { metrics } : {}),
    ...(revokeLease ? { revokeLease } : {}),
    ...(noLiveLeaseAt ? { noLiveLeaseAt } : {}),
  };
}
