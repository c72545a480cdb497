/** The one JSON shape of a workset in every answer, customer and operator alike: the registration view plus its lifecycle. */
import { DEFAULT_MAX_RETRIES, leaseView, type LeaseView, type SentinelSyncPending } from './lifecycle.ts';
import { toWorksetView, type WorksetRecord, type WorksetState, type WorksetView } from './workset.ts';

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
    retry_after: record.retry_after ?? null,
    error_details: record.error_details ?? null,
    error_category: record.error_category ?? null,
    failed_step: record.failed_step ?? null,
    cluster_name: record.cluster_name ?? null,
    metrics: record.metrics ?? {},
    current_step: record.current_step ?? null,
    started_at: record.started_at ?? null,
    finished_at: record.finished_at ?? null,
    archived_from: record.archived_from ?? null,
    archived_at: record.archived_at ?? null,
    canceled_at: record.canceled_at ?? null,
    cancel_reason: record.cancel_reason ?? null,
    deleted_at: record.deleted_at ?? null,
    sentinels,
  };
}
