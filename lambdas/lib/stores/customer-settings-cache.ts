/**
 * A per-container cache in front of the customers store's readers, so a warm function does not
 * read a customer's settings (or a machine client's customer) on every request: a change of a
 * customer's settings, or a client removed, reaches a warm function within TTL_MS; slots are
 * counted exactly whatever it holds (in the transactions of the changes that take them). Only
 * answers that found something are kept, so a customer or client added a moment ago is seen at
 * once.
 */
import type { CustomerSettings, MachineClients } from '../ports/customers.ts';

export const TTL_MS = 30_000;

/** `load` behind a cache of what it found, each answer kept TTL_MS. */
function cached<V>(now: () => number, load: (key: string) => Promise<V | undefined>): (key: string) => Promise<V | undefined> {
  const entries = new Map<string, { value: V | undefined; until: number }>();
  return async (key) => {
    const hit = entries.get(key);
    if (hit && hit.until > now()) return hit.value;
    const value = await load(key);
    entries.set(key, { value, until: value === undefined ? 0 : now() + TTL_MS });
    return value;
  };
}

export function cachedCustomerSettings(inner: CustomerSettings, now: () => number = Date.now): CustomerSettings {
  return { getCustomer: cached(now, (customerId) => inner.getCustomer(customerId)) };
}

export function cachedMachineClients(inner: MachineClients, now: () => number = Date.now): MachineClients {
  return { customerOfClient: cached(now, (clientId) => inner.customerOfClient(clientId)) };
}
