/**
 * The entry-point table: the only list of the service's functions and what triggers each. The CDK
 * stack makes one function per entry (with the permissions declared here) and wires its trigger:
 * an HTTP API route, a DynamoDB stream, or a schedule. The local server dispatches the HTTP
 * entries to the same handler files and runs the others in-process; the OpenAPI document, the IAM
 * guard of the tests and the bundle tests read the same entries.
 *
 * An HTTP entry's handler is built from its request contract (the `…Contract` objects of
 * lambdas/lib/schemas/), the very object `contract.request` names here: what it reads is what
 * the OpenAPI document says.
 */
import * as v from 'valibot';
import type { GenericSchema } from 'valibot';
import { NO_INPUT, type RequestContract } from '../lambdas/lib/schemas/contract.ts';
import * as customers from '../lambdas/lib/schemas/customer-admin-requests.ts';
import * as customer from '../lambdas/lib/schemas/customer-requests.ts';
import { EstimateCostContract, GetPipelineContract } from '../lambdas/lib/schemas/pipeline-requests.ts';
import { CreateWorksetContract, PreviewWorksetContract } from '../lambdas/lib/schemas/registration-requests.ts';
import { CreateUploadContract } from '../lambdas/lib/schemas/upload-requests.ts';
import * as worker from '../lambdas/lib/schemas/worker-requests.ts';
import { CUSTOMER_INDEXES, WORKSET_INDEXES, type ItemKeys, type TableDefinition } from '../lambdas/lib/stores/tables.ts';
import {
  CatalogueSchema,
  CostEstimateSchema,
  CustomerListingSchema,
  CustomerSchema,
  CustomerUsageSchema,
  FailureAnswerSchema,
  HardDeleteAnswerSchema,
  HealthSchema,
  HistoryAnswerSchema,
  LeaseAnswerSchema,
  MoveAnswerSchema,
  PipelineSchema,
  PreviewSchema,
  QueueStatsSchema,
  ReleaseAnswerSchema,
  SheetUploadSchema,
  SettleResultSchema,
  WorksetDetailListingSchema,
  WorksetDetailSchema,
} from '../lambdas/lib/schemas/responses.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type TableName = TableDefinition['logicalName'];

/** What a function may do to a table. Each level implies the ones before it. */
export type TableAccess = 'read' | 'write' | 'delete';

/** S3 actions on the control bucket, always scoped to the control prefix (and archive prefix). */
export type ControlBucketAction = 'get' | 'put' | 'delete' | 'list';

/**
 * Access to some items of a table only: those whose key matches the table's `items` patterns
 * (stores/tables.ts ITEM_KEYS; IAM `dynamodb:LeadingKeys`), e.g. a customer's counters, never
 * its settings.
 */
export interface ItemAccess {
  readonly table: TableName;
  readonly items: ItemKeys;
  readonly access: TableAccess;
}

export interface EntryAccess {
  readonly tables?: Partial<Record<TableName, TableAccess>>;
  readonly items?: readonly ItemAccess[];
  /** The indexes the entry queries, per table (each must be in TABLES and its table in `tables`). */
  readonly indexes?: Partial<Record<TableName, readonly string[]>>;
  /** Actions under the control (active) prefix. */
  readonly controlBucket?: readonly ControlBucketAction[];
  /** The same actions under the archive prefix (`daylily_monitoring/archived_worksets/`). */
  readonly archive?: readonly ControlBucketAction[];
  /**
   * The same actions under the upload prefix (`daylily_uploads/`: staged sample sheets). `put` for
   * the route that presigns the upload form: S3 checks the form against its signer's role.
   */
  readonly uploads?: readonly ControlBucketAction[];
  /**
   * Reads the pipeline catalogue (lambdas/lib/wiring/catalogue-source.ts): given an operator's
   * catalogue (context `pipelineCatalogue`), the stack ships the file in this function's bundle.
   */
  readonly pipelineCatalogue?: true;
  /** Publishing to the stack's event bus (`events:PutEvents` on that bus only). */
  readonly eventBus?: readonly 'publish'[];
  /** Sending email as the notification sender (`ses:SendEmail` on its identity, from its address only). */
  readonly email?: readonly 'send'[];
}

/**
 * How a caller proves who it is: `none` (only the health check), `iam` (SigV4: workers and
 * operators), `jwt` (a bearer token: a lab's user or machine client, or an operator; the handler
 * then checks the path's customer, and the route requires `jwtScope(trigger)`; docs/auth.md).
 */
export type HttpAuth = 'none' | 'iam' | 'jwt';

/** The scopes of the JWT routes: reads need `read`, everything else `write`. */
export const JWT_SCOPES = ['read', 'write'] as const;
export type JwtScope = (typeof JWT_SCOPES)[number];

/** The resource server the scopes belong to (the user pool's; an external issuer's by context). */
export const DEFAULT_RESOURCE_SERVER = 'daylily-workset-api';

export function jwtScope(trigger: Pick<HttpTrigger, 'method'>): JwtScope {
  return trigger.method === 'GET' ? 'read' : 'write';
}

/** The scope a token must carry on a JWT route, as the issuer names it: `daylily-workset-api/read`. */
export function jwtScopeName(trigger: Pick<HttpTrigger, 'method'>, resourceServer: string = DEFAULT_RESOURCE_SERVER): string {
  return `${resourceServer}/${jwtScope(trigger)}`;
}

export interface HttpTrigger {
  readonly kind: 'http';
  readonly method: HttpMethod;
  /** API Gateway path template, `{name}` for a path parameter. */
  readonly path: string;
  readonly auth: HttpAuth;
}

/** The table's DynamoDB stream (the stack turns it on for every table an entry reads it from). */
export interface StreamTrigger {
  readonly kind: 'stream';
  readonly table: TableName;
  /** Records per invocation (default 100). */
  readonly batchSize?: number;
}

/** Every `minutes` minutes (EventBridge Scheduler in the stack, a timer locally). */
export interface ScheduleTrigger {
  readonly kind: 'schedule';
  readonly rate: { readonly minutes: number };
}

export type Trigger = HttpTrigger | StreamTrigger | ScheduleTrigger;

interface EntryBase {
  /** PascalCase id: the CDK construct id (and for HTTP entries the OpenAPI operationId). */
  readonly id: string;
  /** Handler module, relative to the repository root; it exports `handler`. */
  readonly handler: string;
  readonly access: EntryAccess;
  readonly summary: string;
}

/** A problem answer a route says more about than the generic description (infra/openapi.ts). */
export interface ProblemDoc {
  readonly description: string;
  /** Response headers it may carry, with what each means. */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface HttpContract {
  /** What the handler reads: the object its handler is built from. */
  readonly request: RequestContract;
  /** Success responses; problem responses are documented for every route. */
  readonly responses: Readonly<Record<number, { readonly description: string; readonly schema?: GenericSchema }>>;
  /** Problem statuses documented in more detail than the generic ones. */
  readonly problems?: Readonly<Record<number, ProblemDoc>>;
}

export interface HttpEntry extends EntryBase {
  readonly trigger: HttpTrigger;
  readonly contract: HttpContract;
}

export interface StreamEntry extends EntryBase {
  readonly trigger: StreamTrigger;
}

export interface ScheduleEntry extends EntryBase {
  readonly trigger: ScheduleTrigger;
}

export type EntryPoint = HttpEntry | StreamEntry | ScheduleEntry;

export const isHttpEntry = (entry: EntryPoint): entry is HttpEntry => entry.trigger.kind === 'http';
export const isStreamEntry = (entry: EntryPoint): entry is StreamEntry => entry.trigger.kind === 'stream';
export const isScheduleEntry = (entry: EntryPoint): entry is ScheduleEntry => entry.trigger.kind === 'schedule';

/** The tables some entry reads the stream of: only these have a stream (in the stack and locally). */
export function streamTables(entries: readonly EntryPoint[]): TableName[] {
  return [...new Set(entries.filter(isStreamEntry).map((entry) => entry.trigger.table))];
}

const UNPROCESSABLE_REGISTRATION =
  'Well formed but not registrable: an unknown pipeline_type or reference_genome (the allowed values listed), samples given in ' +
  'more than one of samples, yaml_content, samples_tsv and samples_upload_id, a samples_upload_id that names no staged sheet of the ' +
  'customer (unknown, expired, already registered, or over the upload size cap) or a staged sheet with bad rows (`samples_upload_id[line N]…`), a FASTQ that is neither an s3:// object nor a relative name under ' +
  's3_bucket, a missing R1, or a duplicate sample id; or refused by the customer’s settings: more samples than its ' +
  'max_samples_per_workset, an S3 location outside its data_locations. `errors` names every field.';
/** A change into a state that holds one of the customer's active slots (docs/auth.md, quotas). */
const QUOTA_EXCEEDED = 'The customer’s quota of active worksets is used up: `quota` names it, with its `limit` and current `usage`.';

const http = (method: HttpMethod, path: string, auth: HttpAuth = 'iam'): HttpTrigger => ({ kind: 'http', method, path, auth });
/** A customer route: a bearer token, checked against the path's customer. */
const customerRoute = (method: HttpMethod, path: string): HttpTrigger => http(method, path, 'jwt');
/** A lab route outside any customer (the pipeline catalogue): any verified bearer token with the route's scope. */
const labRoute = (method: HttpMethod, path: string): HttpTrigger => http(method, path, 'jwt');

// What the customers table gives the routes beyond their own tables: every customer route looks up
// a machine token's client (only those items); every change that can end a run moves its
// customer's slot counter (only those items); registration and the changes that take a slot back
// (retry, restore, an operator's return to ready) read the customer's settings.
const CLIENTS: ItemAccess = { table: 'customers', items: 'clients', access: 'read' };
const COUNTERS: ItemAccess = { table: 'customers', items: 'counters', access: 'write' };

export const ENTRY_POINTS: readonly EntryPoint[] = [
  {
    id: 'Health',
    trigger: http('GET', '/', 'none'),
    handler: 'lambdas/handlers/health.ts',
    access: {},
    summary: 'Service health and whether the control bucket is configured.',
    contract: { request: NO_INPUT, responses: { 200: { description: 'The service is up.', schema: HealthSchema } } },
  },
  {
    id: 'CreateWorkset',
    trigger: customerRoute('POST', '/api/customers/{customer_id}/worksets'),
    handler: 'lambdas/handlers/create-workset.ts',
    access: {
      // `delete`: a registration that fails before its ready flip removes its own record.
      tables: { worksets: 'delete', customers: 'read', idempotency: 'write' },
      items: [COUNTERS],
      controlBucket: ['put', 'delete'],
      // A staged sheet named by samples_upload_id is read, then removed once registered.
      uploads: ['get', 'delete'],
      pipelineCatalogue: true,
    },
    summary: "Register a workset within the customer's quota and data locations: DynamoDB record, control folder files, then daylily.ready.",
    contract: {
      request: CreateWorksetContract,
      responses: { 201: { description: 'Registered (or replayed); `Location` names the workset.', schema: WorksetDetailSchema } },
      problems: {
        422: { description: UNPROCESSABLE_REGISTRATION },
        429: { description: QUOTA_EXCEEDED },
        503: {
          description:
            'A dependency failed or the service is not configured; retry later. With a `Location` (problem type `outcome-unknown`, ' +
            'its `workset_id`): the registration did not finish and whether it was queued is unknown. GET the Location, or retry ' +
            'with the same Idempotency-Key; the service settles it (ready, or not found). Without one, nothing was queued.',
          headers: { Location: 'The workset whose outcome is unknown (`/api/customers/{customer_id}/worksets/{workset_id}`).' },
        },
      },
    },
  },
  {
    id: 'PreviewWorkset',
    trigger: customerRoute('POST', '/api/customers/{customer_id}/worksets/preview'),
    handler: 'lambdas/handlers/preview-workset.ts',
    // No table: the catalogue and the control location are configuration; a staged sheet is read
    // (never removed: registration needs it after). Authorized from the token's claims
    // (wiring/claims-customer-entry.ts): machine clients are refused.
    access: { pipelineCatalogue: true, uploads: ['get'] },
    summary: "A registration's dry run: every problem registration would answer, or the files it would write, its control folder and the cost estimate.",
    contract: {
      request: PreviewWorksetContract,
      responses: { 200: { description: 'The preview (also for a body registration would refuse: see `valid`, `registration_status` and `problems`).', schema: PreviewSchema } },
    },
  },
  {
    id: 'CreateUpload',
    trigger: customerRoute('POST', '/api/customers/{customer_id}/uploads'),
    handler: 'lambdas/handlers/create-upload.ts',
    // `put` on the upload prefix: the presigned form is signed with this function's role, and S3
    // authorizes the client's upload as that role. No object is written here.
    access: { items: [CLIENTS], uploads: ['put'] },
    summary: 'A presigned POST form to stage a sample sheet beyond the 6 MB request limit: exact key, size-capped, expiring in 15 minutes; register it with samples_upload_id.',
    contract: {
      request: CreateUploadContract,
      responses: { 201: { description: 'The form: POST `fields` then the sheet as `file` to `url` (multipart/form-data); a 2xx answer means stored.', schema: SheetUploadSchema } },
      problems: { 422: { description: 'size_bytes is over the configured upload cap (`max_bytes`).' } },
    },
  },
  {
    id: 'ListCustomerWorksets',
    trigger: customerRoute('GET', '/api/customers/{customer_id}/worksets'),
    handler: 'lambdas/handlers/list-customer-worksets.ts',
    access: { tables: { worksets: 'read' }, indexes: { worksets: [WORKSET_INDEXES.byCustomer] }, items: [CLIENTS] },
    summary: "A customer's worksets, newest first, with cursor pagination.",
    contract: { request: customer.ListCustomerWorksetsContract, responses: { 200: { description: 'One page of worksets.', schema: WorksetDetailListingSchema } } },
  },
  {
    id: 'GetCustomerWorkset',
    trigger: customerRoute('GET', '/api/customers/{customer_id}/worksets/{workset_id}'),
    handler: 'lambdas/handlers/get-customer-workset.ts',
    access: { tables: { worksets: 'read' }, items: [CLIENTS] },
    summary: "One of the customer's worksets (404 for another customer's).",
    contract: { request: customer.GetCustomerWorksetContract, responses: { 200: { description: 'The workset.', schema: WorksetDetailSchema } } },
  },

  // ------------------------------------------------------------------------------------------
  // The pipeline catalogue (lambdas/lib/domain/pipeline-catalogue.ts, docs/pipelines.md).
  // ------------------------------------------------------------------------------------------
  {
    id: 'ListPipelines',
    trigger: labRoute('GET', '/api/pipelines'),
    handler: 'lambdas/handlers/list-pipelines.ts',
    access: { pipelineCatalogue: true },
    summary: 'The pipeline catalogue: each pipeline, its aliases, genome builds, dy-r command, day-clone tag and cost inputs.',
    contract: { request: NO_INPUT, responses: { 200: { description: 'The catalogue.', schema: CatalogueSchema } } },
  },
  {
    id: 'GetPipeline',
    trigger: labRoute('GET', '/api/pipelines/{pipeline_id}'),
    handler: 'lambdas/handlers/get-pipeline.ts',
    access: { pipelineCatalogue: true },
    summary: 'One pipeline, by its id or an alias (snv, sv, wgs…).',
    contract: { request: GetPipelineContract, responses: { 200: { description: 'The pipeline.', schema: PipelineSchema } } },
  },
  {
    id: 'EstimateCost',
    trigger: labRoute('POST', '/api/estimate-cost'),
    handler: 'lambdas/handlers/estimate-cost.ts',
    access: { pipelineCatalogue: true },
    summary: "A workset's estimated cost (compute, S3, FSx, transfer) from the catalogue's cost model, with its assumptions.",
    contract: {
      request: EstimateCostContract,
      responses: { 200: { description: 'The estimate; its components add up to estimated_cost_usd.', schema: CostEstimateSchema } },
      problems: { 422: { description: 'An unknown pipeline_type or reference_genome: `errors` names the field and lists the allowed values.' } },
    },
  },

  // ------------------------------------------------------------------------------------------
  // Lifecycle: operator and worker routes (machine callers). `GET /worksets/next` and
  // `POST /worksets/claim` are literals, so they win over `/worksets/{workset_id}`.
  // ------------------------------------------------------------------------------------------
  {
    id: 'ListWorksets',
    trigger: http('GET', '/worksets'),
    handler: 'lambdas/handlers/list-worksets.ts',
    access: { tables: { worksets: 'read' }, indexes: { worksets: [WORKSET_INDEXES.byState, WORKSET_INDEXES.byCustomer] } },
    summary: 'Worksets by state (queue order), customer or all states; priority filter; cursor pagination.',
    contract: { request: worker.ListWorksetsContract, responses: { 200: { description: 'A page of worksets.', schema: WorksetDetailListingSchema } } },
  },
  {
    id: 'NextWorkset',
    trigger: http('GET', '/worksets/next'),
    handler: 'lambdas/handlers/next-workset.ts',
    access: { tables: { worksets: 'read' }, indexes: { worksets: [WORKSET_INDEXES.claimable, WORKSET_INDEXES.leaseExpiry] } },
    summary: 'The next leasable workset (urgent first, oldest first, retrying past backoff included); 204 if none.',
    contract: { request: NO_INPUT, responses: { 200: { description: 'The workset a claim would take next.', schema: WorksetDetailSchema }, 204: { description: 'The queue is empty.' } } },
  },
  {
    id: 'ClaimWorkset',
    trigger: http('POST', '/worksets/claim'),
    handler: 'lambdas/handlers/claim-workset.ts',
    // Counters: a claim recovers runs whose lease ran out, which may fail them.
    access: { tables: { worksets: 'write' }, indexes: { worksets: [WORKSET_INDEXES.claimable, WORKSET_INDEXES.leaseExpiry] }, items: [COUNTERS], controlBucket: ['put', 'delete'] },
    summary: 'Atomically lease and return the next workset; 204 when the queue is empty.',
    contract: { request: worker.ClaimWorksetContract, responses: { 200: { description: 'The claimed workset, leased to owner_id.', schema: WorksetDetailSchema }, 204: { description: 'The queue is empty.' } } },
  },
  {
    id: 'GetWorkset',
    trigger: http('GET', '/worksets/{workset_id}'),
    handler: 'lambdas/handlers/get-workset.ts',
    access: { tables: { worksets: 'read' } },
    summary: 'One workset with its lease, retry and progress fields.',
    contract: { request: worker.GetWorksetContract, responses: { 200: { description: 'The workset.', schema: WorksetDetailSchema } } },
  },
  {
    id: 'AcquireLease',
    trigger: http('POST', '/worksets/{workset_id}/lock'),
    handler: 'lambdas/handlers/acquire-lease.ts',
    access: { tables: { worksets: 'write' }, items: [COUNTERS], controlBucket: ['put', 'delete'] },
    summary: 'Lease a ready (or retrying, past backoff) workset; idempotent for its owner; returns lease_epoch.',
    contract: { request: worker.AcquireLeaseContract, responses: { 200: { description: 'The lease (lock_owner, lease_epoch, lease_expires_at).', schema: LeaseAnswerSchema } } },
  },
  {
    id: 'RefreshLease',
    trigger: http('POST', '/worksets/{workset_id}/lock/refresh'),
    handler: 'lambdas/handlers/refresh-lease.ts',
    access: { tables: { worksets: 'write' } },
    summary: "The owner's heartbeat: extends the lease; 409 with the state when the worker must stop.",
    contract: { request: worker.RefreshLeaseContract, responses: { 200: { description: 'The extended lease.', schema: WorksetDetailSchema } } },
  },
  {
    id: 'ReleaseLease',
    trigger: http('DELETE', '/worksets/{workset_id}/lock'),
    handler: 'lambdas/handlers/release-lease.ts',
    // The archive too: a canceled workset keeps its worker's lease (so the worker learns of the
    // cancellation), and may be archived, daylily.lock included, before the worker lets go.
    access: { tables: { worksets: 'write' }, controlBucket: ['put', 'delete'], archive: ['put', 'delete'] },
    summary: 'The owner releases its lease and daylily.lock; the state never changes.',
    contract: { request: worker.ReleaseLeaseContract, responses: { 200: { description: 'The workset without its lease (state unchanged).', schema: ReleaseAnswerSchema } } },
  },
  {
    id: 'SetWorksetState',
    trigger: http('PUT', '/worksets/{workset_id}/state'),
    handler: 'lambdas/handlers/set-workset-state.ts',
    access: { tables: { worksets: 'write' }, items: [COUNTERS], controlBucket: ['put', 'delete'] },
    summary: "A worker's transition (start, complete, error), fenced by its owner_id + lease_epoch.",
    contract: { request: worker.SetWorksetStateContract, responses: { 200: { description: 'The workset in its new state.', schema: WorksetDetailSchema } } },
  },
  {
    id: 'OverrideWorksetState',
    trigger: http('PUT', '/worksets/{workset_id}/override'),
    handler: 'lambdas/handlers/override-workset-state.ts',
    // Only an operator's IAM policy grants this route (docs/deploy.md); a worker's grants PUT …/state.
    access: { tables: { worksets: 'write', customers: 'read' }, items: [COUNTERS], controlBucket: ['put', 'delete'] },
    summary: "An operator's transition without a lease (cancel, ignore, back to ready within the customer's quota, end a run whose worker is gone); reason required.",
    contract: { request: worker.OverrideWorksetStateContract, responses: { 200: { description: 'The workset in its new state.', schema: WorksetDetailSchema } }, problems: { 429: { description: QUOTA_EXCEEDED } } },
  },
  {
    id: 'RecordProgress',
    trigger: http('POST', '/worksets/{workset_id}/progress'),
    handler: 'lambdas/handlers/record-progress.ts',
    access: { tables: { worksets: 'write' } },
    summary: 'Step, timestamps and merged metrics from the lease holder; the state is unchanged.',
    contract: { request: worker.RecordProgressContract, responses: { 200: { description: 'The workset with its progress.', schema: WorksetDetailSchema } } },
  },
  {
    id: 'RecordFailure',
    trigger: http('POST', '/worksets/{workset_id}/failure'),
    handler: 'lambdas/handlers/record-failure.ts',
    access: { tables: { worksets: 'write' }, items: [COUNTERS], controlBucket: ['put', 'delete'] },
    summary: 'A failed run: retrying with exponential backoff while retries remain and the error is retryable, else failed.',
    contract: { request: worker.RecordFailureContract, responses: { 200: { description: 'The workset, retrying or failed.', schema: FailureAnswerSchema } } },
  },
  {
    id: 'QueueStats',
    trigger: http('GET', '/queue/stats'),
    handler: 'lambdas/handlers/queue-stats.ts',
    access: { tables: { worksets: 'read' } },
    summary: 'Exact workset counts per state, in constant time (sharded counters).',
    contract: { request: NO_INPUT, responses: { 200: { description: 'Exact counts per state.', schema: QueueStatsSchema } } },
  },
  {
    id: 'SettleWorkset',
    trigger: http('POST', '/worksets/{workset_id}/settle'),
    handler: 'lambdas/handlers/settle-workset.ts',
    // `delete`: a keyless registration that never finished is rolled back (its record removed);
    // the idempotency table: a completed keyed one stores the answer its client's retry replays;
    // `list`: the folder is checked for every registration file; the counters: a rollback gives
    // the customer's slot back.
    access: { tables: { worksets: 'delete', idempotency: 'write' }, items: [COUNTERS], controlBucket: ['put', 'delete', 'list'] },
    summary: 'Settle a registration that never finished (or a ready workset missing daylily.ready): its folder and record made to agree.',
    contract: { request: worker.SettleWorksetContract, responses: { 200: { description: 'What the settle pass did (or, with dry_run, would do).', schema: SettleResultSchema } } },
  },
  // ------------------------------------------------------------------------------------------
  // Lifecycle: customer actions (ownership by customer_id; 404 for another customer's workset).
  // ------------------------------------------------------------------------------------------
  {
    id: 'CancelWorkset',
    trigger: customerRoute('POST', '/api/customers/{customer_id}/worksets/{workset_id}/cancel'),
    handler: 'lambdas/handlers/cancel-workset.ts',
    access: { tables: { worksets: 'write' }, items: [CLIENTS, COUNTERS], controlBucket: ['put', 'delete'] },
    summary: 'ready, retrying or in_progress → canceled; a leased run sees it on its next heartbeat.',
    contract: { request: customer.CustomerActionContract, responses: { 200: { description: 'The canceled workset.', schema: WorksetDetailSchema } } },
  },
  {
    id: 'RetryWorkset',
    trigger: customerRoute('POST', '/api/customers/{customer_id}/worksets/{workset_id}/retry'),
    handler: 'lambdas/handlers/retry-workset.ts',
    access: { tables: { worksets: 'write', customers: 'read' }, items: [CLIENTS, COUNTERS], controlBucket: ['put', 'delete'] },
    summary: "error, failed or canceled → ready (within the customer's quota), with fresh retry counters and stale sentinels cleared.",
    contract: { request: customer.CustomerActionContract, responses: { 200: { description: 'The workset, ready again.', schema: WorksetDetailSchema } }, problems: { 429: { description: QUOTA_EXCEEDED } } },
  },
  {
    id: 'ArchiveWorkset',
    trigger: customerRoute('POST', '/api/customers/{customer_id}/worksets/{workset_id}/archive'),
    handler: 'lambdas/handlers/archive-workset.ts',
    // No counters: nothing it archives holds a slot.
    access: { tables: { worksets: 'write' }, items: [CLIENTS], controlBucket: ['get', 'delete', 'list'], archive: ['put', 'delete'] },
    summary: 'A finished workset → archived; its control folder moves to the archive prefix.',
    contract: { request: customer.CustomerActionContract, responses: { 200: { description: 'The archived workset.', schema: MoveAnswerSchema } } },
  },
  {
    id: 'RestoreWorkset',
    trigger: customerRoute('POST', '/api/customers/{customer_id}/worksets/{workset_id}/restore'),
    handler: 'lambdas/handlers/restore-workset.ts',
    access: { tables: { worksets: 'write', customers: 'read' }, items: [CLIENTS, COUNTERS], controlBucket: ['put', 'delete'], archive: ['get', 'delete', 'list'] },
    summary: "archived → the state it was archived from (error/failed → ready, within the customer's quota); the folder moves back.",
    contract: { request: customer.CustomerActionContract, responses: { 200: { description: 'The restored workset.', schema: MoveAnswerSchema } }, problems: { 429: { description: QUOTA_EXCEEDED } } },
  },
  {
    id: 'DeleteWorkset',
    trigger: customerRoute('POST', '/api/customers/{customer_id}/worksets/{workset_id}/delete'),
    handler: 'lambdas/handlers/delete-workset.ts',
    access: { tables: { worksets: 'delete' }, items: [CLIENTS, COUNTERS], controlBucket: ['put', 'delete', 'list'], archive: ['put', 'delete', 'list'] },
    summary: 'Soft delete (state deleted) or, with hard_delete, the workset\'s own control files then its record.',
    contract: { request: customer.DeleteWorksetContract, responses: { 200: { description: 'The soft-deleted workset, or the hard-delete summary.', schema: v.union([WorksetDetailSchema, HardDeleteAnswerSchema]) } } },
  },
  // ------------------------------------------------------------------------------------------
  // Background: the state-change events and the reconciler (docs/events.md, docs/lifecycle.md).
  // ------------------------------------------------------------------------------------------
  {
    id: 'PublishStateChanges',
    trigger: { kind: 'stream', table: 'worksets', batchSize: 100 },
    handler: 'lambdas/handlers/publish-state-changes.ts',
    // `worksets: read`: the record an email names; the ledger: one claim per event id mailed.
    access: { tables: { worksets: 'read', notifications: 'write' }, eventBus: ['publish'], email: ['send'] },
    summary: 'One Workset State Change event per history item on the event bus; completion, failure and cancel emailed once.',
  },
  {
    id: 'ReconcileWorksets',
    trigger: { kind: 'schedule', rate: { minutes: 5 } },
    handler: 'lambdas/handlers/reconcile-worksets.ts',
    // As the settle pass (keyless registrations rolled back, keyed ones' answers stored) and the
    // lifecycle's writers (recovery, sentinel syncs, in archived folders too); the queue's state
    // index and the reconcile index; `list`: the scan of the control prefix and each folder's look;
    // the counters: the slot recount, and the slots a rollback or a failed recovery gives back;
    // the customers' directory: the slot recount's turn through every customer (the index projects
    // whole items, so reading the table adds nothing to what it shows).
    access: {
      tables: { worksets: 'delete', idempotency: 'write', customers: 'read' },
      items: [COUNTERS],
      indexes: { worksets: [WORKSET_INDEXES.byState, WORKSET_INDEXES.reconcile], customers: [CUSTOMER_INDEXES.directory] },
      controlBucket: ['put', 'delete', 'list'],
      archive: ['put', 'delete', 'list'],
    },
    summary: 'A reconciler pass: registrations past their grace, lapsed leases, flagged and drifted folders, stray daylily.ready, queue counters, quota usage.',
  },
  {
    id: 'WorksetLogs',
    trigger: customerRoute('GET', '/api/customers/{customer_id}/worksets/{workset_id}/logs'),
    handler: 'lambdas/handlers/workset-logs.ts',
    access: { tables: { worksets: 'read' }, indexes: { worksets: [WORKSET_INDEXES.history] }, items: [CLIENTS] },
    summary: "The workset's full history (from, to, reason, actor, at), paginated.",
    contract: { request: customer.WorksetLogsContract, responses: { 200: { description: 'A page of the history, oldest first.', schema: HistoryAnswerSchema } } },
  },

  // ------------------------------------------------------------------------------------------
  // Customers: onboarding and settings (operators, IAM).
  // ------------------------------------------------------------------------------------------
  {
    id: 'CreateCustomer',
    trigger: http('POST', '/customers'),
    handler: 'lambdas/handlers/create-customer.ts',
    access: { tables: { customers: 'write' } },
    summary: 'Onboard a customer: a generated customer_id (slug + random suffix), quotas, data locations, machine clients.',
    contract: { request: customers.CreateCustomerContract, responses: { 201: { description: 'The new customer; `Location` names it.', schema: CustomerSchema } } },
  },
  {
    id: 'ListCustomers',
    trigger: http('GET', '/customers'),
    handler: 'lambdas/handlers/list-customers.ts',
    access: { tables: { customers: 'read' }, indexes: { customers: [CUSTOMER_INDEXES.directory] } },
    summary: 'Every customer, in id order, with cursor pagination.',
    contract: { request: customers.ListCustomersContract, responses: { 200: { description: 'One page of customers.', schema: CustomerListingSchema } } },
  },
  {
    id: 'GetCustomer',
    trigger: http('GET', '/customers/{customer_id}'),
    handler: 'lambdas/handlers/get-customer.ts',
    access: { tables: { customers: 'read' } },
    summary: "One customer's settings.",
    contract: { request: customers.CustomerContract, responses: { 200: { description: 'The customer.', schema: CustomerSchema } } },
  },
  {
    id: 'UpdateCustomer',
    trigger: http('PATCH', '/customers/{customer_id}'),
    handler: 'lambdas/handlers/update-customer.ts',
    // `delete`: a machine client taken off a customer loses its item.
    access: { tables: { customers: 'delete' } },
    summary: 'Change quotas, data locations, machine clients, billing tags or `suspended`; running worksets are not touched.',
    contract: { request: customers.UpdateCustomerContract, responses: { 200: { description: 'The customer as changed.', schema: CustomerSchema } } },
  },
  {
    id: 'GetCustomerUsage',
    trigger: http('GET', '/customers/{customer_id}/usage'),
    handler: 'lambdas/handlers/customer-usage.ts',
    access: { tables: { customers: 'read' } },
    summary: 'Active worksets against the quota, and worksets and samples registered this month.',
    contract: { request: customers.CustomerContract, responses: { 200: { description: 'The usage.', schema: CustomerUsageSchema } } },
  },
];

/** The HTTP entries, in table order: the API's routes. */
export const HTTP_ENTRIES: readonly HttpEntry[] = ENTRY_POINTS.filter(isHttpEntry);
