/**
 * The wiring of the operator routes that manage customers: the customers adapter's admin half
 * (uncached: an operator reads what is stored), the control bucket no customer's data may live
 * in, the clock and the random source of new customer ids. Built once per cold start.
 */
import { randomBytes } from 'node:crypto';
import { currentCoreSettings } from '../config/current.ts';
import type { CustomerAdminDeps } from '../flows/deps.ts';
import { dynamoCustomerAdmin } from '../stores/dynamodb/customer-admin.ts';
import { dynamoContext } from './table-deps.ts';

let deps: CustomerAdminDeps | undefined;

export function customerAdminDeps(): CustomerAdminDeps {
  if (!deps) {
    const settings = currentCoreSettings();
    deps = {
      customers: dynamoCustomerAdmin(dynamoContext(settings)),
      ...(settings.controlBucket.ok ? { controlBucket: settings.controlBucket.bucket } : {}),
      now: () => new Date(),
      randomHex: () => randomBytes(4).toString('hex'),
    };
  }
  return deps;
}
