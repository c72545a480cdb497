/**
 * Managing customers (the operators' routes and the CLI): onboarding with a generated id, the
 * directory, one customer, a change of its settings (conditioned on the version read, so two
 * operators' changes never overwrite each other unseen), and its usage this month.
 */
import { newCustomerId, usageMonth, type CustomerRecord, type CustomerUsage } from '../domain/customer.ts';
import { timestamp } from '../domain/workset.ts';
import { ConflictError, InvalidInputError, notFound, UpstreamError } from '../errors.ts';
import type { CustomerChanges, CustomerWriteOutcome } from '../ports/customers.ts';
import type { CustomerAdminDeps } from './deps.ts';

/** What onboarding takes (the create route's body, defaults applied). */
export type NewCustomer = Pick<CustomerRecord, 'customer_name' | 'email' | 'max_active_worksets' | 'max_samples_per_workset' | 'data_locations' | 'billing_tags' | 'machine_clients'>;

export interface CustomerListing {
  readonly customers: readonly CustomerRecord[];
  readonly next_token: string | null;
}

const ATTEMPTS = 3;

/** The monitor stages a customer's data with its own credentials: the control bucket is never one's data. */
function rejectControlBucket(deps: CustomerAdminDeps, locations: readonly string[] | undefined): void {
  const inside = (locations ?? []).findIndex((location) => location.startsWith(`s3://${deps.controlBucket}/`));
  if (deps.controlBucket && inside >= 0) {
    throw new InvalidInputError('data_locations must not be in the control bucket.', [{ field: `data_locations[${inside}]`, message: 'must not be in the control bucket' }]);
  }
}

function clientTaken(outcome: Extract<CustomerWriteOutcome, { reason: 'client-taken' }>): ConflictError {
  return new ConflictError(`Machine client ${outcome.clientId} belongs to another customer; remove it there first.`, {
    client_id: outcome.clientId,
    ...(outcome.customerId ? { customer_id: outcome.customerId } : {}),
  });
}

/**
 * A new customer under a generated id (slug of its name + 8 random hex). `customerId`: an id of
 * the operator's choice instead (the CLI's `--id`); taken, it is a 409.
 */
export async function onboardCustomer(deps: CustomerAdminDeps, request: NewCustomer, customerId?: string): Promise<CustomerRecord> {
  rejectControlBucket(deps, request.data_locations);
  for (let attempt = 1; ; attempt += 1) {
    const at = timestamp(deps.now());
    const customer: CustomerRecord = {
      customer_id: customerId ?? newCustomerId(request.customer_name, deps.randomHex()),
      ...request,
      suspended: false,
      created_at: at,
      updated_at: at,
      version: 1,
    };
    const outcome = await deps.customers.createCustomer(customer);
    if (outcome.ok) return outcome.customer;
    if (outcome.reason === 'client-taken') throw clientTaken(outcome);
    if (customerId !== undefined) throw new ConflictError(`Customer ${customerId} already exists.`, { customer_id: customerId });
    // 32 random bits collided with an existing id: draw another.
    if (attempt >= ATTEMPTS) throw new UpstreamError('No free customer id was found; retry the request.');
  }
}

export async function listCustomers(deps: CustomerAdminDeps, query: { readonly limit: number; readonly next_token?: string }): Promise<CustomerListing> {
  const page = await deps.customers.listCustomers({ limit: query.limit, ...(query.next_token ? { nextToken: query.next_token } : {}) });
  return { customers: page.items, next_token: page.nextToken ?? null };
}

export async function getCustomer(deps: CustomerAdminDeps, customerId: string): Promise<CustomerRecord> {
  const customer = await deps.customers.getCustomer(customerId);
  if (!customer) throw notFound('Customer', customerId);
  return customer;
}

/** Applies `changes` to the customer as it is now; a concurrent change is read and applied onto. */
export async function updateCustomer(deps: CustomerAdminDeps, customerId: string, changes: CustomerChanges): Promise<CustomerRecord> {
  rejectControlBucket(deps, changes.data_locations);
  for (let attempt = 1; ; attempt += 1) {
    const current = await getCustomer(deps, customerId);
    const outcome = await deps.customers.updateCustomer({ customerId, version: current.version, changes, at: timestamp(deps.now()) });
    if (outcome.ok) return outcome.customer;
    if (outcome.reason === 'client-taken') throw clientTaken(outcome);
    if (attempt >= ATTEMPTS) throw new ConflictError(`Customer ${customerId} kept changing while this request tried to update it; retry.`);
  }
}

export async function customerUsage(deps: CustomerAdminDeps, customerId: string): Promise<CustomerUsage> {
  const customer = await getCustomer(deps, customerId);
  const usage = await deps.customers.usage(customerId, usageMonth(timestamp(deps.now())));
  return { ...usage, max_active_worksets: customer.max_active_worksets };
}
