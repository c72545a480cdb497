/** The one JSON shape of a workset in every answer, customer and operator alike: the registration view plus its lifecycle. */
import { DEFAULT_MAX_RETRIES, leaseView, type LeaseView, type SentinelSyncPending } from './lifecycle.ts';
import { fieldsOf, toWorksetView, type WorksetRecord, type WorksetState, type WorksetView } from './workset.ts';

/** Whether the control folder matches the record; `pending` is what it should show. */
export interface SentinelStatus {
  readonly in_sync: boolean;
  readonly pending?: SentinelSyncPending;
}

export interface WorksetDetail extends WorksetView, LeaseView {
  readonly version: number;
  readonly retry_count: number;
  readonly max_retries: number;
  readonly retry_after: string | null;
  readonly error_details: string | null;
  readonly error_category: string | null;
  readonly failed_step: string | null;
  readonly cluster_name: string | null;
  readonly metrics: Readonly<Record<string, unknown>>;
  readonly current_step: string | null;
  readonly started_at: string | null;
  readonly finished_at: string | null;
  readonly archived_from: WorksetState | null;
  readonly archived_at: string | null;
  readonly canceled_at: string | null;
  readonly cancel_reason: string | null;
  readonly deleted_at: string | null;
  readonly sentinels: SentinelStatus;
}

export function sentinelStatusOf(record: WorksetRecord): SentinelStatus {
  return record.sentinel_sync_pending ? { in_sync: false, pending: record.sentinel_sync_pending } : { in_sync: true };
}

export function toWorksetDetail(record: WorksetRecord, sentinels: SentinelStatus = sentinelStatusOf(record)): WorksetDetail {
  return {
    ...toWorksetView(record),
    ...leaseView(record),
    version: record.version ?? 0,
    retry_count: record.retry_count ?? 0,
    max_retries: record.max_retries ?? DEFAULT_MAX_RETRIES,
    ...fieldsOf<Pick<WorksetDetail, 'retry_after' | 'error_details' | 'error_category' | 'failed_step' | 'cluster_name'>>(record, 'retry_after? error_details? error_category? failed_step? cluster_name?'),
    metrics: record.metrics ?? {},
    ...fieldsOf<Omit<WorksetDetail, keyof WorksetView | keyof LeaseView | 'version' | 'retry_count' | 'max_retries' | 'metrics' | 'sentinels'>>(
      record,
      'current_step? started_at? finished_at? archived_from? archived_at? canceled_at? cancel_reason? deleted_at?',
    ),
    sentinels,
  };
}
