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
import * as customer from '../lambdas/lib/schemas/customer-requests.ts';
import { CreateWorksetContract } from '../lambdas/lib/schemas/registration-requests.ts';
import * as worker from '../lambdas/lib/schemas/worker-requests.ts';
import { WORKSET_INDEXES, type TableDefinition } from '../lambdas/lib/stores/tables.ts';
import {
  FailureAnswerSchema,
  HardDeleteAnswerSchema,
  HealthSchema,
  HistoryAnswerSchema,
  LeaseAnswerSchema,
  MoveAnswerSchema,
  QueueStatsSchema,
  ReleaseAnswerSchema,
  SettleResultSchema,
  WorksetDetailListingSchema,
  WorksetDetailSchema,
} from '../lambdas/lib/schemas/responses.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export type TableName = TableDefinition['logicalName'];

/** What a function may do to a table. Each level implies the ones before it. */
export type TableAccess = 'read' | 'write' | 'delete';

/** S3 actions on the control bucket, always scoped to the control prefix (and archive prefix). */
export type ControlBucketAction = 'get' | 'put' | 'delete' | 'list';

export interface EntryAccess {
  readonly tables?: Partial<Record<TableName, TableAccess>>;
  /** The indexes the entry queries, per table (each must be in TABLES and its table in `tables`). */
  readonly indexes?: Partial<Record<TableName, readonly string[]>>;
  /** Actions under the control (active) prefix. */
  readonly controlBucket?: readonly ControlBucketAction[];
  /** The same actions under the archive prefix (`daylily_monitoring/archived_worksets/`). */
  readonly archive?: readonly ControlBucketAction[];
  /** Publishing to the stack's event bus (`events:PutEvents` on that bus only). */
  readonly eventBus?: readonly 'publish'[];
  /** Sending email as the notification sender (`ses:SendEmail` on its identity, from its address only). */
  readonly email?: readonly 'send'[];
}

/**
 * How a caller proves who it is: `none` (only the health check), `iam` (SigV4: workers,
 * operators, lab systems), `jwt` (a bearer token of a signed-in customer; see docs/auth.md once
 * sign-in lands).
 */
export type HttpAuth = 'none' | 'iam' | 'jwt';

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

const http = (method: HttpMethod, path: string, auth: HttpAuth = 'iam'): HttpTrigger => ({ kind: 'http', method, path, auth });

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
    trigger: http('POST', '/api/customers/{customer_id}/worksets'),
    handler: 'lambdas/handlers/create-workset.ts',
    access: {
      // `delete`: a registration that fails before its ready flip removes its own record.
      tables: { worksets: 'delete', customers: 'read', idempotency: 'write' },
      controlBucket: ['put', 'delete'],
    },
    summary: 'Register a workset: DynamoDB record, control folder files, then daylily.ready.',
    contract: {
      request: CreateWorksetContract,
      responses: { 201: { description: 'Registered (or replayed); `Location` names the workset.', schema: WorksetDetailSchema } },
      problems: {
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
    id: 'ListCustomerWorksets',
    trigger: http('GET', '/api/customers/{customer_id}/worksets'),
    handler: 'lambdas/handlers/list-customer-worksets.ts',
    access: { tables: { worksets: 'read' }, indexes: { worksets: [WORKSET_INDEXES.byCustomer] } },
    summary: "A customer's worksets, newest first, with cursor pagination.",
    contract: { request: customer.ListCustomerWorksetsContract, responses: { 200: { description: 'One page of worksets.', schema: WorksetDetailListingSchema } } },
  },
  {
    id: 'GetCustomerWorkset',
    trigger: http('GET', '/api/customers/{customer_id}/worksets/{workset_id}'),
    handler: 'lambdas/handlers/get-customer-workset.ts',
    access: { tables: { worksets: 'read' } },
    summary: "One of the customer's worksets (404 for another customer's).",
    contract: { request: customer.GetCustomerWorksetContract, responses: { 200: { description: 'The workset.', schema: WorksetDetailSchema } } },
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
    access: { tables: { worksets: 'write' }, indexes: { worksets: [WORKSET_INDEXES.claimable, WORKSET_INDEXES.leaseExpiry] }, controlBucket: ['put', 'delete'] },
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
    access: { tables: { worksets: 'write' }, controlBucket: ['put', 'delete'] },
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
    access: { tables: { worksets: 'write' }, controlBucket: ['put', 'delete'] },
    summary: "A worker's transition (start, complete, error), fenced by its owner_id + lease_epoch.",
    contract: { request: worker.SetWorksetStateContract, responses: { 200: { description: 'The workset in its new state.', schema: WorksetDetailSchema } } },
  },
  {
    id: 'OverrideWorksetState',
    trigger: http('PUT', '/worksets/{workset_id}/override'),
    handler: 'lambdas/handlers/override-workset-state.ts',
    // Only an operator's IAM policy grants this route (docs/deploy.md); a worker's grants PUT …/state.
    access: { tables: { worksets: 'write' }, controlBucket: ['put', 'delete'] },
    summary: "An operator's transition without a lease (cancel, ignore, back to ready, end a run whose worker is gone); reason required.",
    contract: { request: worker.OverrideWorksetStateContract, responses: { 200: { description: 'The workset in its new state.', schema: WorksetDetailSchema } } },
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
    access: { tables: { worksets: 'write' }, controlBucket: ['put', 'delete'] },
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
    // `list`: the folder is checked for every registration file.
    access: { tables: { worksets: 'delete', idempotency: 'write' }, controlBucket: ['put', 'delete', 'list'] },
    summary: 'Settle a registration that never finished (or a ready workset missing daylily.ready): its folder and record made to agree.',
    contract: { request: worker.SettleWorksetContract, responses: { 200: { description: 'What the settle pass did (or, with dry_run, would do).', schema: SettleResultSchema } } },
  },
  // ------------------------------------------------------------------------------------------
  // Lifecycle: customer actions (ownership by customer_id; 404 for another customer's workset).
  // ------------------------------------------------------------------------------------------
  {
    id: 'CancelWorkset',
    trigger: http('POST', '/api/customers/{customer_id}/worksets/{workset_id}/cancel'),
    handler: 'lambdas/handlers/cancel-workset.ts',
    access: { tables: { worksets: 'write' }, controlBucket: ['put', 'delete'] },
    summary: 'ready, retrying or in_progress → canceled; a leased run sees it on its next heartbeat.',
    contract: { request: customer.CustomerActionContract, responses: { 200: { description: 'The canceled workset.', schema: WorksetDetailSchema } } },
  },
  {
    id: 'RetryWorkset',
    trigger: http('POST', '/api/customers/{customer_id}/worksets/{workset_id}/retry'),
    handler: 'lambdas/handlers/retry-workset.ts',
    access: { tables: { worksets: 'write' }, controlBucket: ['put', 'delete'] },
    summary: 'error, failed or canceled → ready, with fresh retry counters and stale sentinels cleared.',
    contract: { request: customer.CustomerActionContract, responses: { 200: { description: 'The workset, ready again.', schema: WorksetDetailSchema } } },
  },
  {
    id: 'ArchiveWorkset',
    trigger: http('POST', '/api/customers/{customer_id}/worksets/{workset_id}/archive'),
    handler: 'lambdas/handlers/archive-workset.ts',
    access: { tables: { worksets: 'write' }, controlBucket: ['get', 'delete', 'list'], archive: ['put', 'delete'] },
    summary: 'A finished workset → archived; its control folder moves to the archive prefix.',
    contract: { request: customer.CustomerActionContract, responses: { 200: { description: 'The archived workset.', schema: MoveAnswerSchema } } },
  },
  {
    id: 'RestoreWorkset',
    trigger: http('POST', '/api/customers/{customer_id}/worksets/{workset_id}/restore'),
    handler: 'lambdas/handlers/restore-workset.ts',
    access: { tables: { worksets: 'write' }, controlBucket: ['put', 'delete'], archive: ['get', 'delete', 'list'] },
    summary: 'archived → the state it was archived from (error/failed → ready); the folder moves back.',
    contract: { request: customer.CustomerActionContract, responses: { 200: { description: 'The restored workset.', schema: MoveAnswerSchema } } },
  },
  {
    id: 'DeleteWorkset',
    trigger: http('POST', '/api/customers/{customer_id}/worksets/{workset_id}/delete'),
    handler: 'lambdas/handlers/delete-workset.ts',
    access: { tables: { worksets: 'delete' }, controlBucket: ['put', 'delete', 'list'], archive: ['put', 'delete', 'list'] },
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
    // index and the reconcile index; `list`: the scan of the control prefix and each folder's look.
    access: {
      tables: { worksets: 'delete', idempotency: 'write' },
      indexes: { worksets: [WORKSET_INDEXES.byState, WORKSET_INDEXES.reconcile] },
      controlBucket: ['put', 'delete', 'list'],
      archive: ['put', 'delete', 'list'],
    },
    summary: 'A reconciler pass: registrations past their grace, lapsed leases, flagged and drifted folders, stray daylily.ready, queue counters.',
  },
  {
    id: 'WorksetLogs',
    trigger: http('GET', '/api/customers/{customer_id}/worksets/{workset_id}/logs'),
    handler: 'lambdas/handlers/workset-logs.ts',
    access: { tables: { worksets: 'read' }, indexes: { worksets: [WORKSET_INDEXES.history] } },
    summary: "The workset's full history (from, to, reason, actor, at), paginated.",
    contract: { request: customer.WorksetLogsContract, responses: { 200: { description: 'A page of the history, oldest first.', schema: HistoryAnswerSchema } } },
  },
];

/** The HTTP entries, in table order: the API's routes. */
export const HTTP_ENTRIES: readonly HttpEntry[] = ENTRY_POINTS.filter(isHttpEntry);
