/**
 * The wiring of what functions read of the customers table: a customer's settings (registration
 * and the lifecycle's changes that take a slot) and a machine client's customer (the
 * authorization of customer routes), each behind a per-container cache, built once per cold start.
 */
import { currentCoreSettings } from '../config/current.ts';
import type { CustomerSettings, MachineClients } from '../ports/customers.ts';
import { cachedCustomerSettings, cachedMachineClients } from '../stores/customer-settings-cache.ts';
import { dynamoCustomerSettings } from '../stores/dynamodb/customer-settings.ts';
import { dynamoContext } from './table-deps.ts';

let reads: (CustomerSettings & MachineClients) | undefined;
let settings: CustomerSettings | undefined;
let clients: MachineClients | undefined;

const store = () => (reads ??= dynamoCustomerSettings(dynamoContext(currentCoreSettings())));

export function customerSettings(): CustomerSettings {
  settings ??= cachedCustomerSettings(store());
  return settings;
}

export function machineClients(): MachineClients {
  clients ??= cachedMachineClients(store());
  return clients;
}
