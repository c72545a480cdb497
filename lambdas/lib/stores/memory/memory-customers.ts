/**
 * The customers store in memory, with the DynamoDB adapter's semantics (stores/dynamodb/
 * customer-*.ts): never-overwriting creates, version-conditioned updates, one customer per
 * machine client, the directory in id order with checked cursors, and the counters the worksets
 * store moves in its own writes (the in-memory worksets store shares one of these, so a state
 * change and its slot move together, as in one DynamoDB transaction).
 */
import { withCustomerDefaults, type CustomerRecord, type CustomerUsage } from '../../domain/customer.ts';
import type { CustomerAdmin, CustomerChanges, CustomerPage, CustomerWriteOutcome } from '../../ports/customers.ts';
import { checkFault, type FaultHook } from './faults.ts';
import { decodeCursor, encodeCursor, inOrder, invalidCursor, queryPage, type Position } from './pages.ts';

const LISTING = { directory: 'customers' } as const;
const byId = (customer: CustomerRecord): Position => ({ sort: customer.customer_id, id: customer.customer_id });

export class MemoryCustomerStore implements CustomerAdmin {
  fail: FaultHook | undefined;
  private readonly customers = new Map<string, CustomerRecord>();
  private readonly clients = new Map<string, string>();
  private readonly active = new Map<string, number>();
  private readonly registered = new Map<string, { worksets: number; samples: number }>();

  constructor(options: { fail?: FaultHook } = {}) {
    this.fail = options.fail;
  }

  /** A fixture: a customer with the defaults, overridden by `settings` (replacing one with its id). */
  addCustomer(customerId: string, settings: Partial<CustomerRecord> = {}): CustomerRecord {
    const customer = withCustomerDefaults({ customer_id: customerId, version: 1, ...settings });
    this.customers.set(customerId, structuredClone(customer));
    for (const clientId of customer.machine_clients) this.clients.set(clientId, customerId);
    return customer;
  }

  // -------------------------------------------------------------------------------------------
  // What the worksets store's writes check and move (conditions first, then the changes).

  has(customerId: string): boolean {
    return this.customers.has(customerId);
  }

  slotFree(customerId: string, limit: number): boolean {
    return this.activeWorksets(customerId) < limit;
  }

  moveSlot(customerId: string, delta: number): void {
    if (delta !== 0) this.active.set(customerId, this.activeWorksets(customerId) + delta);
  }

  countRegistration(customerId: string, month: string, samples: number, sign: 1 | -1): void {
    const key = `${customerId}#${month}`;
    const current = this.registered.get(key) ?? { worksets: 0, samples: 0 };
    this.registered.set(key, { worksets: current.worksets + sign, samples: current.samples + sign * samples });
  }

  activeWorksets(customerId: string): number {
    return this.active.get(customerId) ?? 0;
  }

  /** The slot counter as stored: undefined when the customer has none (nothing counted yet). */
  /** Every onboarded customer's id (the directory's entries). */
  customerIds(): string[] {
    return [...this.customers.keys()];
  }

  slotCounter(customerId: string): number | undefined {
    return this.active.get(customerId);
  }

  /** A fixture: the customer's slot counter gone, as for a customer counted before quotas were. */
  dropSlotCounter(customerId: string): void {
    this.active.delete(customerId);
  }

  // -------------------------------------------------------------------------------------------
  // CustomerAdmin

  async getCustomer(customerId: string): Promise<CustomerRecord | undefined> {
    checkFault(this.fail, 'getCustomer', customerId);
    const customer = this.customers.get(customerId);
    return customer && structuredClone(customer);
  }

  async customerOfClient(clientId: string): Promise<string | undefined> {
    checkFault(this.fail, 'customerOfClient', clientId);
    return this.clients.get(clientId);
  }

  async createCustomer(customer: CustomerRecord): Promise<CustomerWriteOutcome> {
    checkFault(this.fail, 'createCustomer', customer);
    if (this.customers.has(customer.customer_id)) return { ok: false, reason: 'exists' };
    const taken = this.takenClient(customer.machine_clients, customer.customer_id);
    if (taken) return taken;
    this.customers.set(customer.customer_id, structuredClone(customer));
    for (const clientId of customer.machine_clients) this.clients.set(clientId, customer.customer_id);
    return { ok: true, customer: structuredClone(customer) };
  }

  async listCustomers(options: { limit: number; nextToken?: string }): Promise<CustomerPage> {
    checkFault(this.fail, 'listCustomers', options);
    const start = options.nextToken === undefined ? undefined : decodeCursor(options.nextToken, (listing) => listing.directory === LISTING.directory && Object.keys(listing).length === 1).after;
    if (options.nextToken !== undefined && start === undefined) throw invalidCursor();
    const page = queryPage(inOrder(this.customers.values(), byId, 1), byId, 1, start, options.limit);
    return { items: page.items.map((customer) => structuredClone(customer)), ...(page.last ? { nextToken: encodeCursor({ listing: LISTING, after: page.last }) } : {}) };
  }

  async updateCustomer(input: { customerId: string; version: number; changes: CustomerChanges; at: string }): Promise<CustomerWriteOutcome> {
    checkFault(this.fail, 'updateCustomer', input);
    const current = this.customers.get(input.customerId);
    if (!current || current.version !== input.version) return { ok: false, reason: 'changed' };
    const defined = Object.fromEntries(Object.entries(input.changes).filter(([, value]) => value !== undefined)) as CustomerChanges;
    const next: CustomerRecord = { ...current, ...defined, version: current.version + 1, updated_at: input.at };
    const taken = this.takenClient(next.machine_clients, input.customerId);
    if (taken) return taken;
    for (const clientId of current.machine_clients) if (!next.machine_clients.includes(clientId)) this.clients.delete(clientId);
    for (const clientId of next.machine_clients) this.clients.set(clientId, input.customerId);
    this.customers.set(input.customerId, structuredClone(next));
    return { ok: true, customer: structuredClone(next) };
  }

  async usage(customerId: string, month: string): Promise<Omit<CustomerUsage, 'max_active_worksets'>> {
    checkFault(this.fail, 'usage', customerId);
    const registered = this.registered.get(`${customerId}#${month}`) ?? { worksets: 0, samples: 0 };
    return { customer_id: customerId, month, active_worksets: this.activeWorksets(customerId), worksets_registered: registered.worksets, samples_registered: registered.samples };
  }

  private takenClient(clientIds: readonly string[], customerId: string): CustomerWriteOutcome | undefined {
    const clientId = clientIds.find((id) => (this.clients.get(id) ?? customerId) !== customerId);
    return clientId === undefined ? undefined : { ok: false, reason: 'client-taken', clientId, customerId: this.clients.get(clientId)! };
  }
}
