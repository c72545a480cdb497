/**
 * The customers store: one port over the customers table, in facets by job. Registration and the
 * lifecycle read settings (`CustomerSettings`); the authorization of a machine token looks up the
 * client's customer (`MachineClients`); the operator routes and the CLI manage customers
 * (`CustomerAdmin`). The counters (active worksets, this month's registrations) are kept by the
 * worksets store in the same transactions as the state changes that move them; this port only
 * reads them (`usage`).
 *
 * Like the worksets store's adapters, these translate SDK failures into StorageUnavailableError;
 * a condition that did not hold is an answer, never an exception.
 */
import type { CustomerRecord, CustomerUsage } from '../domain/customer.ts';

export interface CustomerSettings {
  /** The customer, or undefined when there is none (a reader may answer from a short-lived cache). */
  getCustomer(customerId: string): Promise<CustomerRecord | undefined>;
}

export interface MachineClients {
  /** The customer a machine client's id is registered to, if any. */
  customerOfClient(clientId: string): Promise<string | undefined>;
}

export interface CustomerPage {
  readonly items: readonly CustomerRecord[];
  /** Opaque cursor of the next page; absent on the last page. */
  readonly nextToken?: string;
}

/** The settings a change may set (all but the id, the counters and the bookkeeping). */
export type CustomerChanges = Partial<
  Pick<CustomerRecord, 'customer_name' | 'email' | 'max_active_worksets' | 'max_samples_per_workset' | 'data_locations' | 'billing_tags' | 'suspended' | 'machine_clients'>
>;

export type CustomerWriteOutcome =
  | { readonly ok: true; readonly customer: CustomerRecord }
  /** `exists`: the id is taken (create); `changed`: not at that version, or gone (update); `client-taken`: a machine client belongs to another customer. */
  | { readonly ok: false; readonly reason: 'exists' | 'changed' }
  | { readonly ok: false; readonly reason: 'client-taken'; readonly clientId: string; readonly customerId?: string };

export interface CustomerAdmin extends CustomerSettings, MachineClients {
  /** Never overwrites; registers its machine clients, each of which must be free. */
  createCustomer(customer: CustomerRecord): Promise<CustomerWriteOutcome>;
  /** In customer id order, never a scan. A cursor this listing did not issue is an InvalidInputError. */
  listCustomers(options: { limit: number; nextToken?: string }): Promise<CustomerPage>;
  /** Applies `changes` if the customer is still at `version` (then version + 1), moving machine clients with it. */
  updateCustomer(input: { customerId: string; version: number; changes: CustomerChanges; at: string }): Promise<CustomerWriteOutcome>;
  /** Active worksets now, and registrations in `month` (`YYYY-MM`). */
  usage(customerId: string, month: string): Promise<Omit<CustomerUsage, 'max_active_worksets'>>;
}
