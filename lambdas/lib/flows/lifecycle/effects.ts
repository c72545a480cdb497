/** What entering a state writes besides the state itself (one place, used by every route). */
import type { TransitionVia } from '../../domain/lifecycle.ts';
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
  const metrics = report.metrics && Object.keys(report.metrics).length > 0 ? { merge: report.metrics, exists: record.metrics !== undefined } : undefined;
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
