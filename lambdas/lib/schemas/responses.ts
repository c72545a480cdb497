/**
 * Response schemas: what the routes answer, for the OpenAPI document (infra/openapi.ts) only.
 * Handlers never import this module, so these schemas stay out of the Lambda bundles; the type
 * checks at the end keep them equal to the types the flows return.
 */
import * as v from 'valibot';
import { ERROR_CATEGORIES } from '../domain/lifecycle.ts';
import type { QueueStats } from '../domain/queue-counters.ts';
import { PRIORITIES, WORKSET_STATES, type WorksetView } from '../domain/workset.ts';
import { SETTLE_ACTIONS, type HistoryAnswer, type MoveAnswer, type SettleResult } from '../domain/answers.ts';
import type { CostEstimate } from '../domain/cost-estimate.ts';
import type { CustomerRecord, CustomerUsage } from '../domain/customer.ts';
import type { CatalogueView } from '../domain/pipeline-views.ts';
import type { WorksetDetail } from '../domain/workset-detail.ts';
import type { WorksetPreview } from '../domain/workset-preview.ts';
import type { SheetUpload } from '../domain/sheet-upload.ts';

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
  reference_genome: v.pipe(v.string(), v.description('As the request sent it.')),
  genome_build: v.pipe(v.nullable(v.string()), v.description('The Daylily build it resolved to (null for worksets registered before the pipeline catalogue).')),
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

export const SettleResultSchema = v.object({
  workset_id: v.string(),
  state: v.pipe(v.nullable(v.picklist(WORKSET_STATES)), v.description('The state the settle pass found.')),
  action: v.pipe(
    v.picklist(SETTLE_ACTIONS),
    v.description(
      'What was done (with dry_run: what would be): completed (keyed, every file present: daylily.ready written, then ready), ' +
        'withdrawn (keyed, a file missing: daylily.ready removed; a retry with the same Idempotency-Key completes it), ' +
        'awaiting-retry (keyed, a file missing, no daylily.ready), rolled-back (keyless: daylily.ready, the record, then its files removed), ' +
        'restored (ready: daylily.ready written back), files-missing (ready with a registration file missing: reported only), ' +
        'in-order, too-recent (changed within older_than_seconds), not-applicable (another state), ' +
        'changed (another request completed or removed it meanwhile; daylily.ready now matches it).',
    ),
  ),
  missing_files: v.pipe(v.optional(v.array(v.string())), v.description('Registration files missing from the control folder, relative to it.')),
  detail: v.optional(v.string()),
});

export const PipelineSchema = v.object({
  id: v.string(),
  title: v.string(),
  description: v.string(),
  aliases: v.pipe(v.array(v.string()), v.description('Other names a request may send as pipeline_type (any case).')),
  genome_builds: v.pipe(v.array(v.string()), v.description('The builds it runs on (reference_genome: an id or alias of the catalogue’s genome_builds).')),
  dy_r: v.pipe(v.string(), v.description('The dy-r value daylily_work.yaml gets; the monitor runs it after its run prefix.')),
  targets: v.array(v.string()),
  config: v.record(v.string(), v.array(v.string())),
  default_jobs: v.pipe(v.nullable(integer), v.description('dy-r -j.')),
  day_clone: v.object({ tag: v.pipe(v.string(), v.description('day-clone -t: the pinned git tag or branch.')), repository: v.nullable(v.string()) }),
  cost: v.object({ vcpu_hours_per_sample: v.pipe(v.number(), v.description('At 30x coverage.')) }),
  catalogue_version: v.string(),
});

export const CatalogueSchema = v.object({
  catalogue_version: v.string(),
  genome_builds: v.array(v.object({ id: v.string(), aliases: v.array(v.string()) })),
  pipelines: v.array(PipelineSchema),
});

const usd = v.pipe(v.number(), v.description('US dollars, rounded to cents.'));
export const CostEstimateSchema = v.object({
  pipeline_type: v.pipe(v.string(), v.description('The catalogue id the request’s pipeline_type resolved to.')),
  catalogue_version: v.string(),
  sample_count: integer,
  estimated_coverage: v.number(),
  priority: v.picklist(PRIORITIES),
  data_size_gb: v.number(),
  vcpu_hours: v.number(),
  estimated_duration_hours: v.number(),
  estimated_cost_usd: v.pipe(v.number(), v.description('The sum of cost_breakdown_usd.')),
  cost_breakdown_usd: v.object({ compute: usd, s3_storage: usd, fsx_storage: usd, transfer: usd }),
  assumptions: v.pipe(v.array(v.string()), v.description('The model’s inputs as this estimate used them (docs/pipelines.md).')),
});

const FieldProblemSchema = v.object({ field: v.string(), message: v.string() });
export const PreviewSchema = v.object({
  valid: v.pipe(v.boolean(), v.description('Whether registration would accept the body (the customer’s existence is not checked).')),
  registration_status: v.pipe(v.picklist([201, 400, 422] as const), v.description('What registration would answer for this body.')),
  problems: v.pipe(v.array(FieldProblemSchema), v.description('Every problem found, each naming its field, as registration’s problem answer would list them.')),
  workset_id: v.pipe(nullableString, v.description('The preview’s own id: registration draws another.')),
  control_folder: nullableString,
  pipeline_type: nullableString,
  genome_build: nullableString,
  catalogue_version: v.string(),
  files: v.pipe(
    v.nullable(v.record(v.string(), v.string())),
    v.description('daylily_work.yaml, daylily_info.yaml and (with samples) stage_samples.tsv, byte for byte as registration writes them for this id and time.'),
  ),
  omitted_files: v.pipe(v.optional(v.array(v.string())), v.description('Files registration would write that are too large to show (stage_samples.tsv of a large uploaded sheet, over 4 MiB).')),
  estimate: v.nullable(CostEstimateSchema),
});

export const SheetUploadSchema = v.object({
  upload_id: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/), v.description('Send it as samples_upload_id to registration or preview.')),
  url: v.pipe(v.string(), v.description('Where to POST the sheet (multipart/form-data).')),
  fields: v.pipe(v.record(v.string(), v.string()), v.description('Form fields to send, as given, before the file (the field named `file`, last).')),
  max_bytes: v.pipe(integer, v.description('The largest sheet the form accepts.')),
  expires_at: v.pipe(v.string(), v.isoTimestamp(), v.description('After this the form is refused; the staged sheet itself is removed after registration or expires after a day.')),
});
const uploadMatchesDomain: Same<v.InferOutput<typeof SheetUploadSchema>, Mutable<SheetUpload>> = true;
void uploadMatchesDomain;

const catalogueMatchesDomain: Same<v.InferOutput<typeof CatalogueSchema>, Mutable<CatalogueView>> = true;
const estimateMatchesDomain: Same<v.InferOutput<typeof CostEstimateSchema>, Mutable<CostEstimate>> = true;
const previewMatchesFlow: Same<v.InferOutput<typeof PreviewSchema>, Mutable<WorksetPreview>> = true;
void catalogueMatchesDomain;
void estimateMatchesDomain;
void previewMatchesFlow;
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
const settleMatchesFlow: Same<v.InferOutput<typeof SettleResultSchema>, Mutable<SettleResult>> = true;
void settleMatchesFlow;
void detailMatchesFlow;
void moveMatchesFlow;
void statsMatchDomain;
void historyMatchesFlow;
