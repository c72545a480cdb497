/**
 * The workset's vocabulary: states, priorities, the stored record and its public view.
 * Pure: no AWS, no HTTP.
 */
import type { ErrorCategory, MoveClaim, SentinelSyncPending } from './lifecycle.ts';

/**
 * `registering` is the state of a record whose control folder is still being written; it never
 * reaches a worker (the queue only serves `ready`) and becomes `ready` once every file, ending
 * with `daylily.ready`, is in the control bucket.
 */
export const WORKSET_STATES = [
  'registering',
  'ready',
  'in_progress',
  'complete',
  'error',
  'retrying',
  'failed',
  'canceled',
  'ignored',
  'archived',
  'deleted',
] as const;
export type WorksetState = (typeof WORKSET_STATES)[number];

/** A customer id: what a path's `customer_id` must look like (it names a partition of the indexes). */
export const CUSTOMER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** Execution order: urgent before normal before low. */
export const PRIORITIES = ['urgent', 'normal', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

const PRIORITY_RANK: Record<Priority, number> = { urgent: 0, normal: 1, low: 2 };

/**
 * Sort key of the state index: a forward query over one state returns urgent first, then
 * oldest first (ISO-8601 UTC timestamps of fixed precision sort as strings).
 */
export function queueOrder(priority: Priority, createdAt: string): string {
  return `${PRIORITY_RANK[priority]}#${createdAt}`;
}

/** A fixed-precision UTC timestamp (always milliseconds), so timestamps compare as strings. */
export function timestamp(at: Date): string {
  return at.toISOString();
}

/**
 * One state change in the workset's history. The record keeps the latest ones inline (without
 * `error_category`); one history item per change keeps them all (the history index).
 */
export interface HistoryEntry {
  readonly from: WorksetState | null;
  readonly to: WorksetState;
  readonly reason: string;
  readonly actor: string;
  readonly at: string;
  readonly error_category?: ErrorCategory;
}

/** How many history entries the record keeps inline (the item must stay small). */
export const INLINE_HISTORY_LIMIT = 20;

/**
 * The DynamoDB record of a workset: the one type every flow and store reads and writes. Samples
 * are not here: they live in the control folder.
 */
export interface WorksetRecord {
  readonly workset_id: string;
  readonly customer_id: string;
  readonly workset_name: string;
  readonly state: WorksetState;
  readonly priority: Priority;
  readonly queue_order: string;
  /** The catalogue id the request's pipeline_type resolved to (older records: as sent). */
  readonly pipeline_type: string;
  /** As the request sent it (e.g. GRCh38). */
  readonly reference_genome: string;
  /** The Daylily build it resolved to (e.g. hg38); absent on records registered before the catalogue. */
  readonly genome_build?: string;
  readonly sample_count: number;
  readonly control_bucket: string;
  /** Key prefix of the control folder, ending in `/`. */
  readonly control_prefix: string;
  readonly export_uri: string;
  readonly data_bucket?: string;
  readonly data_prefix?: string;
  readonly notification_email?: string;
  readonly enable_qc: boolean;
  readonly archive_results: boolean;
  readonly created_at: string;
  readonly updated_at: string;
  /** The latest INLINE_HISTORY_LIMIT entries (without `error_category`). */
  readonly state_history: readonly HistoryEntry[];
  /**
   * How many times a request withdrew `daylily.ready` from the folder while the record was
   * `registering` (absent: never). The flip to `ready` is conditioned on the count its request read
   * before writing its own `daylily.ready` (flows/registration/settle-ready.ts). Internal: no
   * answer shows it.
   */
  readonly ready_withdrawals?: number;
  /**
   * How the registration was asked for: `idempotency_key` (customer-scoped) when the client sent
   * one and can resume it with a retry, absent when it cannot. The settle pass completes or waits
   * for the first kind and rolls back the second (flows/registration/settle-registration.ts).
   * Absent on records written before it existed. Internal: no answer shows it.
   */
  readonly registration?: { readonly idempotency_key?: string };

  // The lease (daylily.lock in the folder). Attribute names are the reference's.
  readonly lock_owner?: string;
  /** Fencing token: incremented by every new grant, never reset (a release keeps it). */
  readonly lease_epoch?: number;
  /** ISO-8601 UTC with milliseconds: fixed precision, so it compares as a string. */
  readonly lease_expires_at?: string;
  readonly lock_acquired_at?: string;

  // The lifecycle.
  /** Incremented by every state change; each change is conditioned on the version it read. */
  readonly version?: number;
  readonly retry_count?: number;
  readonly max_retries?: number;
  readonly retry_after?: string;
  readonly error_details?: string;
  readonly error_category?: ErrorCategory;
  readonly failed_step?: string;
  readonly cluster_name?: string;
  readonly metrics?: Readonly<Record<string, unknown>>;
  readonly current_step?: string;
  readonly started_at?: string;
  readonly finished_at?: string;
  readonly archived_from?: WorksetState;
  /** The active folder an archived workset came from (restore moves it back there). */
  readonly active_prefix?: string;
  readonly archived_at?: string;
  readonly restored_at?: string;
  readonly deleted_at?: string;
  readonly canceled_at?: string;
  readonly cancel_reason?: string;
  readonly sentinel_sync_pending?: SentinelSyncPending;
  readonly move_claim?: MoveClaim;
}

/** The one JSON shape of a workset in every response. */
export interface WorksetView {
  readonly workset_id: string;
  readonly customer_id: string;
  readonly workset_name: string;
  readonly state: WorksetState;
  readonly priority: Priority;
  readonly pipeline_type: string;
  readonly reference_genome: string;
  readonly genome_build: string | null;
  readonly sample_count: number;
  readonly control_folder: string;
  readonly export_uri: string;
  readonly data_bucket: string | null;
  readonly data_prefix: string | null;
  readonly notification_email: string | null;
  readonly enable_qc: boolean;
  readonly archive_results: boolean;
  readonly created_at: string;
  readonly updated_at: string;
  readonly state_history: readonly HistoryEntry[];
}

/**
 * Key prefix of a workset's folder under a prefix (the control prefix, or the archive prefix):
 * `{prefix}{workset id}/`. Kept here, free of the YAML renderers, so read routes can use it.
 */
export function controlFolderPrefix(prefix: string, worksetId: string): string {
  return `${prefix}${worksetId}/`;
}

export function controlFolderUri(record: Pick<WorksetRecord, 'control_bucket' | 'control_prefix'>): string {
  return `s3://${record.control_bucket}/${record.control_prefix}`;
}

/**
 * `record`'s fields named in `spec`, in that order (answers keep a fixed key order: DynamoDB does
 * not keep a map's). A name ending in `?` answers null when the record has none. Data, not a
 * line per field: every answer with a workset in it carries this.
 */
export function fieldsOf<T>(record: object, spec: string): T {
  const fields = record as Record<string, unknown>;
  return Object.fromEntries(
    spec.split(' ').map((name) => (name.endsWith('?') ? [name.slice(0, -1), fields[name.slice(0, -1)] ?? null] : [name, fields[name]])),
  ) as T;
}

const VIEW_HEAD = 'workset_id customer_id workset_name state priority pipeline_type reference_genome genome_build? sample_count';
const VIEW_TAIL = 'export_uri data_bucket? data_prefix? notification_email? enable_qc archive_results created_at updated_at';

export function toWorksetView(record: WorksetRecord): WorksetView {
  return {
    ...fieldsOf<Omit<WorksetView, 'control_folder' | 'state_history'>>(record, VIEW_HEAD),
    control_folder: controlFolderUri(record),
    ...fieldsOf<object>(record, VIEW_TAIL),
    state_history: record.state_history.map((entry) => fieldsOf<HistoryEntry>(entry, 'from to reason actor at')),
  };
}
