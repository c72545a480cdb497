/**
 * The route table: the only list of the API's routes. The CDK stack makes one function and one
 * HTTP API route per entry (with the permissions declared here), the local server dispatches to the
 * same handler files, and the OpenAPI document is generated from the same entries.
 */
import * as v from 'valibot';
import type { GenericSchema } from 'valibot';
import { WORKSET_INDEXES, type TableDefinition } from '../lambdas/lib/stores/tables.ts';
import { CreateWorksetRequest, ListWorksetsQuery } from '../lambdas/lib/schemas/registration-requests.ts';
import {
  AcquireLeaseRequest,
  AdminListQuery,
  ClaimRequest,
  CustomerActionRequest,
  DeleteRequest,
  FailureRequest,
  LogsQuery,
  ProgressRequest,
  RefreshLeaseRequest,
  ReleaseLeaseRequest,
  SetStateRequest,
} from '../lambdas/lib/schemas/lifecycle-requests.ts';
import {
  FailureAnswerSchema,
  HardDeleteAnswerSchema,
  HealthSchema,
  HistoryAnswerSchema,
  LeaseAnswerSchema,
  MoveAnswerSchema,
  QueueStatsSchema,
  ReleaseAnswerSchema,
  WorksetDetailListingSchema,
  WorksetDetailSchema,
} from '../lambdas/lib/schemas/responses.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** What a route's function may do to a table. Each level implies the ones before it. */
export type TableAccess = 'read' | 'write' | 'delete';

/** S3 actions on the control bucket, always scoped to the control prefix (and archive prefix). */
export type ControlBucketAction = 'get' | 'put' | 'delete' | 'list';

export interface RouteAccess {
  readonly tables?: Partial<Record<TableDefinition['logicalName'], TableAccess>>;
  /** The indexes the route queries, per table (each must be in TABLES and its table in `tables`). */
  readonly indexes?: Partial<Record<TableDefinition['logicalName'], readonly string[]>>;
  /** Actions under the control (active) prefix. */
  readonly controlBucket?: readonly ControlBucketAction[];
  /** The same actions under the archive prefix (`daylily_monitoring/archived_worksets/`). */
  readonly archive?: readonly ControlBucketAction[];
}

export interface Route {
  /** PascalCase id: the CDK construct id and the OpenAPI operationId. */
  readonly id: string;
  readonly method: HttpMethod;
  /** API Gateway path template, `{name}` for a path parameter. */
  readonly path: string;
  /** Handler module, relative to the repository root; it exports `handler`. */
  readonly handler: string;
  /** `none` only for the health check: everything else needs a signed caller. */
  readonly auth: 'none' | 'iam';
  readonly access: RouteAccess;
  readonly summary: string;
  /** The request and response schemas (the handler validates with the same ones); feeds OpenAPI. */
  readonly contract: RouteContract;
}

export interface RouteContract {
  readonly body?: GenericSchema;
  readonly query?: GenericSchema;
  /** Request headers the route reads, for the OpenAPI document. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Success responses; problem responses are documented for every route. */
  readonly responses: Readonly<Record<number, { readonly description: string; readonly schema?: GenericSchema }>>;
}

export const ROUTES: readonly Route[] = [
  {
    id: 'Health',
    method: 'GET',
    path: '/',
    handler: 'lambdas/handlers/health.ts',
    auth: 'none',
    access: {},
    summary: 'Service health and whether the control bucket is configured.',
    contract: { responses: { 200: { description: 'The service is up.', schema: HealthSchema } } },
  },
  {
    id: 'CreateWorkset',
    method: 'POST',
    path: '/api/customers/{customer_id}/worksets',
    handler: 'lambdas/handlers/create-workset.ts',
    auth: 'iam',
    access: {
      // `delete`: a registration that fails before its ready flip removes its own record.
      tables: { worksets: 'delete', customers: 'read', idempotency: 'write' },
      controlBucket: ['put', 'delete'],
    },
    summary: 'Register a workset: DynamoDB record, control folder files, then daylily.ready.',
    contract: {
      body: CreateWorksetRequest,
      headers: {
        'Idempotency-Key': 'Makes retries safe for 24 h: the same key and body replay the first answer; a different body is a 409.',
      },
      responses: { 201: { description: 'Registered (or replayed); `Location` names the workset.', schema: WorksetDetailSchema } },
    },
  },
  {
    id: 'ListCustomerWorksets',
    method: 'GET',
    path: '/api/customers/{customer_id}/worksets',
    handler: 'lambdas/handlers/list-customer-worksets.ts',
    auth: 'iam',
    access: { tables: { worksets: 'read' }, indexes: { worksets: [WORKSET_INDEXES.byCustomer] } },
    summary: "A customer's worksets, newest first, with cursor pagination.",
    contract: { query: ListWorksetsQuery, responses: { 200: { description: 'One page of worksets.', schema: WorksetDetailListingSchema } } },
  },
  {
    id: 'GetCustomerWorkset',
    method: 'GET',
    path: '/api/customers/{customer_id}/worksets/{workset_id}',
    handler: 'lambdas/handlers/get-customer-workset.ts',
    auth: 'iam',
    access: { tables: { worksets: 'read' } },
    summary: "One of the customer's worksets (404 for another customer's).",
    contract: { responses: { 200: { description: 'The workset.', schema: WorksetDetailSchema } } },
  },

  // ------------------------------------------------------------------------------------------
  // Lifecycle: operator and worker routes (machine callers). `GET /worksets/next` and
  // `POST /worksets/claim` are literals, so they win over `/worksets/{workset_id}`.
  // ------------------------------------------------------------------------------------------
  {
    id: 'ListWorksets',
    method: 'GET',
    path: '/worksets',
    handler: 'lambdas/handlers/list-worksets.ts',
    auth: 'iam',
    access: { tables: { worksets: 'read' }, indexes: { worksets: [WORKSET_INDEXES.byState, WORKSET_INDEXES.byCustomer] } },
    summary: 'Worksets by state (queue order), customer or all states; priority filter; cursor pagination.',
    contract: { query: AdminListQuery, responses: { 200: { description: 'A page of worksets.', schema: WorksetDetailListingSchema } } },
  },
  {
    id: 'NextWorkset',
    method: 'GET',
    path: '/worksets/next',
    handler: 'lambdas/handlers/next-workset.ts',
    auth: 'iam',
    access: { tables: { worksets: 'read' }, indexes: { worksets: [WORKSET_INDEXES.byState] } },
    summary: 'The next leasable workset (urgent first, oldest first, retrying past backoff included); 204 if none.',
    contract: { responses: { 200: { description: 'The workset a claim would take next.', schema: WorksetDetailSchema }, 204: { description: 'The queue is empty.' } } },
  },
  {
    id: 'ClaimWorkset',
    method: 'POST',
    path: '/worksets/claim',
    handler: 'lambdas/handlers/claim-workset.ts',
    auth: 'iam',
    access: { tables: { worksets: 'write' }, indexes: { worksets: [WORKSET_INDEXES.byState] }, controlBucket: ['put', 'delete'] },
    summary: 'Atomically lease and return the next workset; 204 when the queue is empty.',
    contract: { body: ClaimRequest, responses: { 200: { description: 'The claimed workset, leased to owner_id.', schema: WorksetDetailSchema }, 204: { description: 'The queue is empty.' } } },
  },
  {
    id: 'GetWorkset',
    method: 'GET',
    path: '/worksets/{workset_id}',
    handler: 'lambdas/handlers/get-workset.ts',
    auth: 'iam',
    access: { tables: { worksets: 'read' } },
    summary: 'One workset with its lease, retry and progress fields.',
    contract: { responses: { 200: { description: 'The workset.', schema: WorksetDetailSchema } } },
  },
  {
    id: 'AcquireLease',
    method: 'POST',
    path: '/worksets/{workset_id}/lock',
    handler: 'lambdas/handlers/acquire-lease.ts',
    auth: 'iam',
    access: { tables: { worksets: 'write' }, controlBucket: ['put', 'delete'] },
    summary: 'Lease a ready (or retrying, past backoff) workset; idempotent for its owner; returns lease_epoch.',
    contract: { body: AcquireLeaseRequest, responses: { 200: { description: 'The lease (lock_owner, lease_epoch, lease_expires_at).', schema: LeaseAnswerSchema } } },
  },
  {
    id: 'RefreshLease',
    method: 'POST',
    path: '/worksets/{workset_id}/lock/refresh',
    handler: 'lambdas/handlers/refresh-lease.ts',
    auth: 'iam',
    access: { tables: { worksets: 'write' } },
    summary: "The owner's heartbeat: extends the lease; 409 with the state when the worker must stop.",
    contract: { body: RefreshLeaseRequest, responses: { 200: { description: 'The extended lease.', schema: WorksetDetailSchema } } },
  },
  {
    id: 'ReleaseLease',
    method: 'DELETE',
    path: '/worksets/{workset_id}/lock',
    handler: 'lambdas/handlers/release-lease.ts',
    auth: 'iam',
    // The archive too: a canceled workset keeps its worker's lease (so the worker learns of the
    // cancellation), and may be archived, daylily.lock included, before the worker lets go.
    access: { tables: { worksets: 'write' }, controlBucket: ['put', 'delete'], archive: ['put', 'delete'] },
    summary: 'The owner releases its lease and daylily.lock; the state never changes.',
    contract: { query: ReleaseLeaseRequest, responses: { 200: { description: 'The workset without its lease (state unchanged).', schema: ReleaseAnswerSchema } } },
  },
  {
    id: 'SetWorksetState',
    method: 'PUT',
    path: '/worksets/{workset_id}/state',
    handler: 'lambdas/handlers/set-workset-state.ts',
    auth: 'iam',
    access: { tables: { worksets: 'write' }, controlBucket: ['put', 'delete'] },
    summary: 'A transition allowed by the state machine; worker transitions are fenced by owner_id + lease_epoch.',
    contract: { body: SetStateRequest, responses: { 200: { description: 'The workset in its new state.', schema: WorksetDetailSchema } } },
  },
  {
    id: 'RecordProgress',
    method: 'POST',
    path: '/worksets/{workset_id}/progress',
    handler: 'lambdas/handlers/record-progress.ts',
    auth: 'iam',
    access: { tables: { worksets: 'write' } },
    summary: 'Step, timestamps and merged metrics from the lease holder; the state is unchanged.',
    contract: { body: ProgressRequest, responses: { 200: { description: 'The workset with its progress.', schema: WorksetDetailSchema } } },
  },
  {
    id: 'RecordFailure',
    method: 'POST',
    path: '/worksets/{workset_id}/failure',
    handler: 'lambdas/handlers/record-failure.ts',
    auth: 'iam',
    access: { tables: { worksets: 'write' }, controlBucket: ['put', 'delete'] },
    summary: 'A failed run: retrying with exponential backoff while retries remain and the error is retryable, else failed.',
    contract: { body: FailureRequest, responses: { 200: { description: 'The workset, retrying or failed.', schema: FailureAnswerSchema } } },
  },
  {
    id: 'QueueStats',
    method: 'GET',
    path: '/queue/stats',
    handler: 'lambdas/handlers/queue-stats.ts',
    auth: 'iam',
    access: { tables: { worksets: 'read' } },
    summary: 'Exact workset counts per state, in constant time (sharded counters).',
    contract: { responses: { 200: { description: 'Exact counts per state.', schema: QueueStatsSchema } } },
  },
  // ------------------------------------------------------------------------------------------
  // Lifecycle: customer actions (ownership by customer_id; 404 for another customer's workset).
  // ------------------------------------------------------------------------------------------
  {
    id: 'CancelWorkset',
    method: 'POST',
    path: '/api/customers/{customer_id}/worksets/{workset_id}/cancel',
    handler: 'lambdas/handlers/cancel-workset.ts',
    auth: 'iam',
    access: { tables: { worksets: 'write' }, controlBucket: ['put', 'delete'] },
    summary: 'ready, retrying or in_progress → canceled; a leased run sees it on its next heartbeat.',
    contract: { body: CustomerActionRequest, responses: { 200: { description: 'The canceled workset.', schema: WorksetDetailSchema } } },
  },
  {
    id: 'RetryWorkset',
    method: 'POST',
    path: '/api/customers/{customer_id}/worksets/{workset_id}/retry',
    handler: 'lambdas/handlers/retry-workset.ts',
    auth: 'iam',
    access: { tables: { worksets: 'write' }, controlBucket: ['put', 'delete'] },
    summary: 'error, failed or canceled → ready, with fresh retry counters and stale sentinels cleared.',
    contract: { body: CustomerActionRequest, responses: { 200: { description: 'The workset, ready again.', schema: WorksetDetailSchema } } },
  },
  {
    id: 'ArchiveWorkset',
    method: 'POST',
    path: '/api/customers/{customer_id}/worksets/{workset_id}/archive',
    handler: 'lambdas/handlers/archive-workset.ts',
    auth: 'iam',
    access: { tables: { worksets: 'write' }, controlBucket: ['get', 'delete', 'list'], archive: ['put', 'delete'] },
    summary: 'A finished workset → archived; its control folder moves to the archive prefix.',
    contract: { body: CustomerActionRequest, responses: { 200: { description: 'The archived workset.', schema: MoveAnswerSchema } } },
  },
  {
    id: 'RestoreWorkset',
    method: 'POST',
    path: '/api/customers/{customer_id}/worksets/{workset_id}/restore',
    handler: 'lambdas/handlers/restore-workset.ts',
    auth: 'iam',
    access: { tables: { worksets: 'write' }, controlBucket: ['put', 'delete'], archive: ['get', 'delete', 'list'] },
    summary: 'archived → the state it was archived from (error/failed → ready); the folder moves back.',
    contract: { body: CustomerActionRequest, responses: { 200: { description: 'The restored workset.', schema: MoveAnswerSchema } } },
  },
  {
    id: 'DeleteWorkset',
    method: 'POST',
    path: '/api/customers/{customer_id}/worksets/{workset_id}/delete',
    handler: 'lambdas/handlers/delete-workset.ts',
    auth: 'iam',
    access: { tables: { worksets: 'delete' }, controlBucket: ['put', 'delete', 'list'], archive: ['put', 'delete', 'list'] },
    summary: 'Soft delete (state deleted) or, with hard_delete, the workset\'s own control files then its record.',
    contract: { body: DeleteRequest, responses: { 200: { description: 'The soft-deleted workset, or the hard-delete summary.', schema: v.union([WorksetDetailSchema, HardDeleteAnswerSchema]) } } },
  },
  {
    id: 'WorksetLogs',
    method: 'GET',
    path: '/api/customers/{customer_id}/worksets/{workset_id}/logs',
    handler: 'lambdas/handlers/workset-logs.ts',
    auth: 'iam',
    access: { tables: { worksets: 'read' }, indexes: { worksets: [WORKSET_INDEXES.history] } },
    summary: "The workset's full audit history (from, to, reason, actor, at), paginated.",
    contract: { query: LogsQuery, responses: { 200: { description: 'A page of the audit history, oldest first.', schema: HistoryAnswerSchema } } },
  },
];
