/**
 * What the operator routes that manage customers read: onboarding, the directory listing, one
 * customer, a change of its settings, its usage. Data locations are normalised to
 * `s3://bucket/prefix/` (domain/customer.ts).
 */
import * as v from 'valibot';
import { DEFAULT_MAX_ACTIVE_WORKSETS, DEFAULT_MAX_SAMPLES_PER_WORKSET, normaliseDataLocation } from '../domain/customer.ts';
import type { RequestContract } from './contract.ts';
import { email, nextToken, pageLimit, text } from './fields.ts';
import { customerIdParameter } from './path-parameters.ts';
// The ceiling is an uploaded sheet's: an inline request holds fewer (MAX_SAMPLES) whatever the setting.
import { MAX_UPLOADED_SAMPLES } from '../domain/sheet-upload.ts';

/** Active worksets a customer may be allowed at most (the slot counter is one DynamoDB item). */
export const MAX_ACTIVE_WORKSETS_LIMIT = 10_000;
export const MAX_DATA_LOCATIONS = 100;
export const MAX_MACHINE_CLIENTS = 20;
export const MAX_BILLING_TAGS = 50;

const count = (max: number) =>
  v.pipe(v.number(), v.integer('must be an integer'), v.minValue(1, `must be from 1 to ${max}`), v.maxValue(max, `must be from 1 to ${max}`));

const unique = <T>(message: string) => v.check((items: T[]) => new Set(items).size === items.length, message);

const dataLocation = v.pipe(
  v.string(),
  v.maxLength(1024, 'must be at most 1024 characters'),
  v.transform((value) => normaliseDataLocation(value)),
  v.check((value): value is string => value !== undefined, 'must be an s3://bucket/prefix/ location (no ".", ".." or empty segments)'),
  v.transform((value) => value as string),
);

const dataLocations = v.pipe(v.array(dataLocation), v.maxLength(MAX_DATA_LOCATIONS, `must have at most ${MAX_DATA_LOCATIONS} locations`), unique<string>('must not repeat a location'));

/** An OAuth client id (Cognito's are 26 alphanumerics; other issuers' vary). */
const clientId = v.pipe(v.string(), v.regex(/^[\w.:@+-]{1,128}$/, 'must be a client id (letters, digits and _ . : @ + -, at most 128)'));
const machineClients = v.pipe(v.array(clientId), v.maxLength(MAX_MACHINE_CLIENTS, `must have at most ${MAX_MACHINE_CLIENTS} clients`), unique<string>('must not repeat a client'));

const billingTags = v.pipe(
  v.record(v.pipe(v.string(), v.regex(/^[\w .:/=+@-]{1,128}$/, 'must be a tag key (at most 128 characters)')), v.pipe(v.string(), v.maxLength(256, 'must be at most 256 characters'))),
  v.check((tags) => Object.keys(tags).length <= MAX_BILLING_TAGS, `must have at most ${MAX_BILLING_TAGS} tags`),
);

export const CreateCustomerRequest = v.strictObject({
  customer_name: text(256),
  email,
  max_active_worksets: v.optional(count(MAX_ACTIVE_WORKSETS_LIMIT), DEFAULT_MAX_ACTIVE_WORKSETS),
  max_samples_per_workset: v.optional(count(MAX_UPLOADED_SAMPLES), DEFAULT_MAX_SAMPLES_PER_WORKSET),
  data_locations: v.optional(dataLocations, []),
  billing_tags: v.optional(billingTags, {}),
  machine_clients: v.optional(machineClients, []),
});
export type CreateCustomerRequest = v.InferOutput<typeof CreateCustomerRequest>;

export const UpdateCustomerRequest = v.pipe(
  v.strictObject({
    customer_name: v.optional(text(256)),
    email: v.optional(email),
    max_active_worksets: v.optional(count(MAX_ACTIVE_WORKSETS_LIMIT)),
    max_samples_per_workset: v.optional(count(MAX_UPLOADED_SAMPLES)),
    data_locations: v.optional(dataLocations),
    billing_tags: v.optional(billingTags),
    machine_clients: v.optional(machineClients),
    suspended: v.optional(v.boolean()),
  }),
  v.check((changes) => Object.values(changes).some((value) => value !== undefined), 'must change at least one setting'),
);
export type UpdateCustomerRequest = v.InferOutput<typeof UpdateCustomerRequest>;

export const ListCustomersQuery = v.strictObject({ limit: pageLimit(100, '50'), next_token: nextToken() });

/** POST /customers */
export const CreateCustomerContract = { body: { schema: CreateCustomerRequest, required: true } } satisfies RequestContract;
/** GET /customers */
export const ListCustomersContract = { query: ListCustomersQuery } satisfies RequestContract;
/** GET /customers/{customer_id}, GET /customers/{customer_id}/usage */
export const CustomerContract = { path: { customer_id: customerIdParameter } } satisfies RequestContract;
/** PATCH /customers/{customer_id} */
export const UpdateCustomerContract = { path: { customer_id: customerIdParameter }, body: { schema: UpdateCustomerRequest, required: true } } satisfies RequestContract;
