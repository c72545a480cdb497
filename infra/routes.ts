/**
 * The route table: the only list of the API's routes. The CDK stack makes one function and one
 * HTTP API route per entry (with the permissions declared here), the local server dispatches to the
 * same handler files, and the OpenAPI document is generated from the same entries.
 */
import type { GenericSchema } from 'valibot';
import type { TableDefinition } from '../lambdas/lib/stores/tables.ts';
import {
  CreateWorksetRequest,
  HealthSchema,
  ListWorksetsQuery,
  WorksetListingSchema,
  WorksetViewSchema,
} from '../lambdas/lib/schemas/workset.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** What a route's function may touch. `write` implies `read`. */
export type TableAccess = 'read' | 'write';

/** S3 actions on the control bucket, always scoped to the control prefix (and archive prefix). */
export type ControlBucketAction = 'get' | 'put' | 'delete' | 'list';

export interface RouteAccess {
  readonly tables?: Partial<Record<TableDefinition['logicalName'], TableAccess>>;
  readonly controlBucket?: readonly ControlBucketAction[];
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
      tables: { worksets: 'write', customers: 'read', idempotency: 'write' },
      controlBucket: ['put', 'delete'],
    },
    summary: 'Register a workset: DynamoDB record, control folder files, then daylily.ready.',
    contract: {
      body: CreateWorksetRequest,
      headers: {
        'Idempotency-Key': 'Makes retries safe for 24 h: the same key and body replay the first answer; a different body is a 409.',
      },
      responses: { 201: { description: 'Registered (or replayed); `Location` names the workset.', schema: WorksetViewSchema } },
    },
  },
  {
    id: 'ListCustomerWorksets',
    method: 'GET',
    path: '/api/customers/{customer_id}/worksets',
    handler: 'lambdas/handlers/list-customer-worksets.ts',
    auth: 'iam',
    access: { tables: { worksets: 'read' } },
    summary: "A customer's worksets, newest first, with cursor pagination.",
    contract: { query: ListWorksetsQuery, responses: { 200: { description: 'One page of worksets.', schema: WorksetListingSchema } } },
  },
  {
    id: 'GetCustomerWorkset',
    method: 'GET',
    path: '/api/customers/{customer_id}/worksets/{workset_id}',
    handler: 'lambdas/handlers/get-customer-workset.ts',
    auth: 'iam',
    access: { tables: { worksets: 'read' } },
    summary: "One of the customer's worksets (404 for another customer's).",
    contract: { responses: { 200: { description: 'The workset.', schema: WorksetViewSchema } } },
  },
];
