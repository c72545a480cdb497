/**
 * Response schemas: what the routes answer, for the OpenAPI document (infra/openapi.ts) only.
 * Handlers never import this module, so these schemas stay out of the Lambda bundles; the type
 * checks at the end keep them equal to the types the flows return.
 */
import * as v from 'valibot';
import { ERROR_CATEGORIES } from '../domain/lifecycle.ts';
import type { QueueStats } from '../domain/queue-counters.ts';
import { PRIORITIES, WORKSET_STATES, type WorksetView } from '../domain/workset.ts';
import type { HistoryAnswer, MoveAnswer } from '../domain/answers.ts';
import type { CustomerRecord, CustomerUsage } from '../domain/customer.ts';
import type { WorksetDetail } from '../domain/workset-detail.ts';

const StateHistoryEntrySchema = v.object({
  from: v.nullable(v.picklist(WORKSET_STATES)),
  to: v.picklist(WORKSET_STATES),
  reason: v.string(),
  actor: v.string(),
  at: v.pipe(v.string(), v.isoTimestamp()),
});

const WorksetViewSchema = v.object({
  workset_id: v.string(),
  customer_id: v.string(),
  workset_name: v.string(),
  state: v.picklist(WORKSET_STATES),
  priority: v.picklist(PRIORITIES),
  pipeline_type: v.string(),
  reference_genome: v.string(),
  sample_count: v.pipe(v.number(), v.integer()),
  control_folder: v.pipe(v.string(), v.description('s3:// URI of the workset’s control folder')),
  export_uri: v.string(),
  data_bucket: v.nullable(v.string()),
  data_prefix: v.nullable(v.string()),
  notification_email: v.nullable(v.string()),
  enable_qc: v.boolean(),
  archive_results: v.boolean(),
  created_at: v.pipe(v.string(), v.isoTimestamp()),
  updated_at: v.pipe(v.string(), v.isoTimestamp()),
  state_history: v.array(StateHistoryEntrySchema),
});

export const HealthSchema = v.object({
  status: v.literal('healthy'),
  service: v.string(),
  timestamp: v.string(),
  control_bucket_configured: v.boolean(),
  configuration_problem: v.optional(v.string()),
  configuration_warnings: v.pipe(
    v.optional(v.array(v.string())),
    v.description('Settings that were given but ignored or unusable (e.g. an invalid DAYLILY_LEASE_SECONDS), each with its fix.'),
  ),
});

/** The domain view without `readonly` (valibot's output types are mutable). */
type Mutable<T> = T extends readonly (infer U)[] ? Mutable<U>[] : T extends object ? { -readonly [K in keyof T]: Mutable<T[K]> } : T;
type MutableView = Mutable<WorksetView>;

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const viewMatchesDomain: Same<v.InferOutput<typeof WorksetViewSchema>, MutableView> = true;
void viewMatchesDomain;


const nullableString = v.nullable(v.string());
const nullableTimestamp = v.nullable(v.pipe(v.string(), v.isoTimestamp()));
const integer = v.pipe(v.number(), v.integer());

const SentinelPendingSchema = v.object({ state: v.picklist(WORKSET_STATES), lock: v.boolean(), since: v.pipe(v.string(), v.isoTimestamp()) });
const SentinelStatusSchema = v.pipe(
  v.object({ in_sync: v.boolean(), pending: v.optional(SentinelPendingSchema) }),
  v.description('Whether the control folder sentinels match DynamoDB; when not, `pending` is what they should show (repair pending).'),
);

export const WorksetDetailSchema = v.object({
  ...WorksetViewSchema.entries,
  lock_owner: v.pipe(nullableString, v.description('Who holds the lease, if anyone.')),
  lease_epoch: v.pipe(v.nullable(integer), v.description('Fencing token of the current or last lease: send it with every worker write.')),
  lease_expires_at: nullableTimestamp,
  version: integer,
  retry_count: integer,
  max_retries: integer,
  retry_after: nullableTimestamp,
  error_details: nullableString,
  error_category: nullableString,
  failed_step: nullableString,
  cluster_name: nullableString,
  metrics: v.record(v.string(), v.unknown()),
  current_step: nullableString,
  started_at: nullableTimestamp,
  finished_at: nullableTimestamp,
  archived_from: v.nullable(v.picklist(WORKSET_STATES)),
  archived_at: nullableTimestamp,
  canceled_at: nullableTimestamp,
  cancel_reason: nullableString,
  deleted_at: nullableTimestamp,
  sentinels: SentinelStatusSchema,
});

export const WorksetDetailListingSchema = v.object({
  worksets: v.array(WorksetDetailSchema),
  next_token: v.pipe(v.nullable(v.string()), v.description('Pass as next_token for the next page; null on the last page.')),
});

export const MoveAnswerSchema = v.object({
  ...WorksetDetailSchema.entries,
  leftover_folder: v.pipe(
    v.optional(v.string()),
    v.description('Present only when the move finished but the old folder (this key prefix) could not be emptied: the record points at the new, complete folder; the old one is a copy left to remove.'),
  ),
});

export const LeaseAnswerSchema = v.object({ ...WorksetDetailSchema.entries, granted: v.pipe(v.boolean(), v.description('false: the owner already held this lease (same epoch, extended).')) });
export const ReleaseAnswerSchema = v.object({ ...WorksetDetailSchema.entries, released: v.pipe(v.boolean(), v.description('false: nobody held the lease.')) });
export const FailureAnswerSchema = v.object({ ...WorksetDetailSchema.entries, retry_scheduled: v.boolean() });

export const HardDeleteAnswerSchema = v.object({ workset_id: v.string(), hard_delete: v.literal(true), deleted: v.literal(true), objects_deleted: integer });

const AuditEntrySchema = v.object({ ...StateHistoryEntrySchema.entries, error_category: v.optional(v.picklist(ERROR_CATEGORIES)) });

export const HistoryAnswerSchema = v.object({
  workset_id: v.string(),
  logs: v.array(AuditEntrySchema),
  next_token: v.pipe(v.nullable(v.string()), v.description('Pass as next_token for the next page; null on the last page.')),
});

const depth = v.object(Object.fromEntries(WORKSET_STATES.map((state) => [state, integer])) as Record<(typeof WORKSET_STATES)[number], typeof integer>);
export const QueueStatsSchema = v.object({
  queue_depth: depth,
  total_worksets: integer,
  ready_worksets: integer,
  in_progress_worksets: integer,
  error_worksets: integer,
  retrying_worksets: integer,
});

export const CustomerSchema = v.object({
  customer_id: v.string(),
  customer_name: v.string(),
  email: v.string(),
  max_active_worksets: v.pipe(integer, v.description('Worksets that may be registering, ready, in_progress or retrying at once.')),
  max_samples_per_workset: integer,
  data_locations: v.pipe(v.array(v.string()), v.description('s3://bucket/prefix/ locations its samples and exports must lie under.')),
  billing_tags: v.record(v.string(), v.string()),
  suspended: v.pipe(v.boolean(), v.description('A suspended customer registers, retries and restores nothing; its worksets stay readable.')),
  machine_clients: v.pipe(v.array(v.string()), v.description('Client ids whose client-credentials tokens act for this customer.')),
  created_at: v.string(),
  updated_at: v.string(),
  version: v.pipe(integer, v.description('Incremented by every change of the settings.')),
});

export const CustomerListingSchema = v.object({
  customers: v.array(CustomerSchema),
  next_token: v.pipe(v.nullable(v.string()), v.description('Pass as next_token for the next page; null on the last page.')),
});

export const CustomerUsageSchema = v.object({
  customer_id: v.string(),
  month: v.pipe(v.string(), v.description('YYYY-MM (UTC): the month the registrations are counted in.')),
  active_worksets: integer,
  max_active_worksets: integer,
  worksets_registered: v.pipe(integer, v.description('Registrations begun this month, less those rolled back.')),
  samples_registered: integer,
});

const customerMatchesDomain: Same<v.InferOutput<typeof CustomerSchema>, Mutable<CustomerRecord>> = true;
const usageMatchesDomain: Same<v.InferOutput<typeof CustomerUsageSchema>, Mutable<CustomerUsage>> = true;
void customerMatchesDomain;
void usageMatchesDomain;

const detailMatchesFlow: Same<v.InferOutput<typeof WorksetDetailSchema>, Mutable<WorksetDetail>> = true;
const statsMatchDomain: Same<v.InferOutput<typeof QueueStatsSchema>, Mutable<QueueStats>> = true;
const historyMatchesFlow: Same<v.InferOutput<typeof HistoryAnswerSchema>, Mutable<HistoryAnswer>> = true;
const moveMatchesFlow: Same<v.InferOutput<typeof MoveAnswerSchema>, Mutable<MoveAnswer>> = true;
void detailMatchesFlow;
void moveMatchesFlow;
void statsMatchDomain;
void historyMatchesFlow;
