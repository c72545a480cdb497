/**
 * A customer's slot quota, as every change that takes a slot uses it (registration, and a retry,
 * restore or operator's return to ready): the customer must exist and not be suspended, and the
 * write is conditioned on a free slot within its max_active_worksets (ports/worksets.ts
 * SlotClaim). The settings may come from a short-lived cache (wiring/customer-deps.ts): a change
 * of them reaches a warm function within its TTL; the counting itself is always exact.
 */
import type { CustomerRecord } from '../domain/customer.ts';
import { ForbiddenError, notFound, QuotaExceededError } from '../errors.ts';
import type { CustomerSettings } from '../ports/customers.ts';
import type { SlotClaim } from '../ports/worksets.ts';

/** The customer a change taking a slot is decided on; 404 when there is none, 403 while it is suspended. */
export async function activeCustomer(customers: CustomerSettings, customerId: string): Promise<CustomerRecord> {
  const customer = await customers.getCustomer(customerId);
  if (!customer) throw notFound('Customer', customerId);
  if (customer.suspended) throw new ForbiddenError(`Customer ${customerId} is suspended.`);
  return customer;
}

export const slotClaimOf = (customer: CustomerRecord): SlotClaim => ({ limit: customer.max_active_worksets });

export function quotaExceeded(customer: CustomerRecord, usage: number): QuotaExceededError {
  return new QuotaExceededError(
    'Quota max_active_worksets reached.',
    { quota: 'max_active_worksets', limit: customer.max_active_worksets, usage },
  );
}
