/**
 * The reading half of the customers adapter: a customer's settings and a machine client's customer. What registration, the lifecycle and the authorization of customer
 * routes are wired with (the admin half, customer-admin.ts, stays out of their bundles).
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { withCustomerDefaults, type CustomerRecord } from '../../domain/customer.ts';
import type { CustomerSettings, MachineClients } from '../../ports/customers.ts';
import { sdkCall } from '../aws-errors.ts';
import { CUSTOMER_ITEM_KEYS } from '../tables.ts';
import type { DynamoContext } from './records.ts';

/** The attribute that puts a customer item into the directory index (its one value). */
export const DIRECTORY = 'directory';
export const DIRECTORY_VALUE = 'customers';

export function customerFromItem(item: Record<string, unknown>): CustomerRecord {
  const { [DIRECTORY]: _directory, ...record } = item;
  return withCustomerDefaults(record as unknown as CustomerRecord);
}

async function getItem(ctx: DynamoContext, key: string): Promise<Record<string, unknown> | undefined> {
  const result = await sdkCall(() => ctx.db.send(new GetCommand({ TableName: ctx.tables.customers, Key: { customer_id: key }, ConsistentRead: true })));
  return result.Item;
}

export function dynamoCustomerSettings(ctx: DynamoContext): CustomerSettings & MachineClients {
  return {
    async getCustomer(customerId) {
      // Counter and client items share the table; their keys contain '#', a customer id never does.
      if (customerId.includes('#')) return undefined;
      const item = await getItem(ctx, customerId);
      return item && customerFromItem(item);
    },
    async customerOfClient(clientId) {
      return (await getItem(ctx, CUSTOMER_ITEM_KEYS.client(clientId)))?.client_of as string | undefined;
    },
  };
}
