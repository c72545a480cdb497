/**
 * The customers store's contract, one suite for both implementations (customers-store.test.ts):
 * onboarding never overwrites, a machine client belongs to one customer, changes are
 * conditioned on the version read, the directory pages in id order with checked cursors, and
 * usage reads the counters the worksets store moves.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withCustomerDefaults, type CustomerRecord } from '../../lambdas/lib/domain/customer.ts';
import { InvalidInputError } from '../../lambdas/lib/errors.ts';
import type { CustomerAdmin } from '../../lambdas/lib/ports/customers.ts';
import type { Registrations } from '../../lambdas/lib/ports/worksets.ts';
import { worksetRecord } from './worksets-store.contract.ts';

export interface CustomersStoreHarness {
  readonly customers: CustomerAdmin;
  /** The worksets store moving this store's counters. */
  readonly registrations: Registrations;
  dispose?(): Promise<void>;
}

const AT = '2026-03-01T12:00:00.000Z';
const customer = (id: string, overrides: Partial<CustomerRecord> = {}): CustomerRecord =>
  withCustomerDefaults({ customer_id: id, customer_name: `Lab ${id}`, email: `${id}@example.org`, created_at: AT, updated_at: AT, version: 1, ...overrides });

export function customersStoreContract(name: string, create: () => Promise<CustomersStoreHarness>): void {
  describe(`the customers store (${name})`, () => {
    let harness: CustomersStoreHarness;
    let store: CustomerAdmin;
    beforeEach(async () => {
      harness = await create();
      store = harness.customers;
    });
    afterEach(async () => {
      await harness.dispose?.();
    });

    it('onboards a customer once: a second with its id is refused, the first kept', async () => {
      expect(await store.createCustomer(customer('lab-a', { data_locations: ['s3://a/'] }))).toMatchObject({ ok: true });
      expect(await store.createCustomer(customer('lab-a', { customer_name: 'Impostor' }))).toEqual({ ok: false, reason: 'exists' });
      expect(await store.getCustomer('lab-a')).toEqual(customer('lab-a', { data_locations: ['s3://a/'] }));
      expect(await store.getCustomer('lab-missing')).toBeUndefined();
    });

    it('maps each machine client to one customer, and refuses a client another customer holds', async () => {
      await store.createCustomer(customer('lab-a', { machine_clients: ['client-1'] }));
      expect(await store.customerOfClient('client-1')).toBe('lab-a');
      expect(await store.customerOfClient('client-2')).toBeUndefined();
      expect(await store.createCustomer(customer('lab-b', { machine_clients: ['client-2', 'client-1'] }))).toEqual({ ok: false, reason: 'client-taken', clientId: 'client-1', customerId: 'lab-a' });
      // Refused whole: neither the customer nor its free client was written.
      expect(await store.getCustomer('lab-b')).toBeUndefined();
      expect(await store.customerOfClient('client-2')).toBeUndefined();
    });

    it('applies a change only at the version read, moving its machine clients with it', async () => {
      await store.createCustomer(customer('lab-a', { machine_clients: ['c-old'], data_locations: ['s3://a/'] }));
      // A setting given as undefined is not given: it stays.
      const changed = await store.updateCustomer({ customerId: 'lab-a', version: 1, changes: { max_active_worksets: 9, machine_clients: ['c-new'], suspended: true, data_locations: undefined }, at: '2026-03-02T00:00:00.000Z' });
      expect(changed).toMatchObject({ ok: true, customer: { max_active_worksets: 9, machine_clients: ['c-new'], suspended: true, data_locations: ['s3://a/'], version: 2, updated_at: '2026-03-02T00:00:00.000Z' } });
      expect(await store.getCustomer('lab-a')).toMatchObject({ max_active_worksets: 9, version: 2, customer_name: 'Lab lab-a', data_locations: ['s3://a/'] });
      expect(await store.customerOfClient('c-old')).toBeUndefined();
      expect(await store.customerOfClient('c-new')).toBe('lab-a');
      // Decided on version 1: stale now.
      expect(await store.updateCustomer({ customerId: 'lab-a', version: 1, changes: { max_active_worksets: 1 }, at: AT })).toEqual({ ok: false, reason: 'changed' });
      expect(await store.updateCustomer({ customerId: 'lab-gone', version: 1, changes: { max_active_worksets: 1 }, at: AT })).toEqual({ ok: false, reason: 'changed' });
      await store.createCustomer(customer('lab-b'));
      expect(await store.updateCustomer({ customerId: 'lab-b', version: 1, changes: { machine_clients: ['c-new'] }, at: AT })).toMatchObject({ ok: false, reason: 'client-taken', clientId: 'c-new' });
      expect(await store.getCustomer('lab-b')).toMatchObject({ version: 1, machine_clients: [] });
    });

    it('lists every customer in id order, page by page, and refuses a cursor it did not issue', async () => {
      for (const id of ['lab-c', 'lab-a', 'lab-e', 'lab-b', 'lab-d']) await store.createCustomer(customer(id, { machine_clients: [`${id}-client`] }));
      const ids: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = await store.listCustomers({ limit: 2, ...(nextToken ? { nextToken } : {}) });
        expect(page.items.length).toBeLessThanOrEqual(2);
        ids.push(...page.items.map((item) => item.customer_id));
        nextToken = page.nextToken;
      } while (nextToken);
      // The machine client and counter items are not customers.
      expect(ids).toEqual(['lab-a', 'lab-b', 'lab-c', 'lab-d', 'lab-e']);
      const forged = Buffer.from(JSON.stringify({ customer_id: 'lab-b', directory: 'other' })).toString('base64url');
      await expect(store.listCustomers({ limit: 2, nextToken: forged })).rejects.toBeInstanceOf(InvalidInputError);
    });

    it('reads usage from the counters registrations move: slots held, and the month\'s worksets and samples', async () => {
      await store.createCustomer(customer('lab-a'));
      expect(await store.usage('lab-a', '2026-03')).toEqual({ customer_id: 'lab-a', month: '2026-03', active_worksets: 0, worksets_registered: 0, samples_registered: 0 });
      const first = worksetRecord({ state: 'registering', customer_id: 'lab-a', created_at: AT, sample_count: 3 });
      const second = worksetRecord({ state: 'registering', customer_id: 'lab-a', created_at: AT, sample_count: 4 });
      expect(await harness.registrations.beginRegistration(first, undefined, { limit: 5 })).toEqual({ kind: 'created' });
      expect(await harness.registrations.beginRegistration(second, undefined, { limit: 5 })).toEqual({ kind: 'created' });
      expect(await store.usage('lab-a', '2026-03')).toMatchObject({ active_worksets: 2, worksets_registered: 2, samples_registered: 7 });
      expect(await store.usage('lab-a', '2026-04')).toMatchObject({ active_worksets: 2, worksets_registered: 0, samples_registered: 0 });
      // A registration nobody can resume gives its slot and its count back.
      expect(await harness.registrations.abandonRegistration(second.workset_id)).toBe(true);
      expect(await store.usage('lab-a', '2026-03')).toMatchObject({ active_worksets: 1, worksets_registered: 1, samples_registered: 3 });
    });
  });
}
