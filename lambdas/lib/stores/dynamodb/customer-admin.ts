/**
 * The customers adapter's admin half: onboarding, the directory listing, setting changes (with
 * the machine client items that follow them) and usage. Conditional writes only, every attribute
 * name aliased; a machine client belongs to one customer at a time (its item's condition).
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { CustomerRecord } from '../../domain/customer.ts';
import type { CustomerAdmin, CustomerChanges, CustomerWriteOutcome } from '../../ports/customers.ts';
import { sdkCall } from '../aws-errors.ts';
import { CUSTOMER_INDEXES, CUSTOMER_ITEM_KEYS } from '../tables.ts';
import { ACTIVE, monthly } from './customer-counters.ts';
import { customerFromItem, DIRECTORY, DIRECTORY_VALUE, dynamoCustomerSettings } from './customer-settings.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { Expression } from './expression.ts';
import type { DynamoContext } from './records.ts';
import { transactWrite, type TransactWriteItem } from './transactions.ts';

const CURSOR_FIELDS = ['customer_id', DIRECTORY] as const;

function clientPut(table: string, clientId: string, customerId: string): TransactWriteItem {
  return {
    Put: {
      TableName: table,
      Item: { customer_id: CUSTOMER_ITEM_KEYS.client(clientId), client_of: customerId },
      // Free, or already this customer's.
      ConditionExpression: 'attribute_not_exists(#id) OR #of = :of',
      ExpressionAttributeNames: { '#id': 'customer_id', '#of': 'client_of' },
      ExpressionAttributeValues: { ':of': customerId },
    },
  };
}

function clientDelete(table: string, clientId: string, customerId: string): TransactWriteItem {
  return {
    Delete: {
      TableName: table,
      Key: { customer_id: CUSTOMER_ITEM_KEYS.client(clientId) },
      ConditionExpression: 'attribute_not_exists(#id) OR #of = :of',
      ExpressionAttributeNames: { '#id': 'customer_id', '#of': 'client_of' },
      ExpressionAttributeValues: { ':of': customerId },
    },
  };
}

export function dynamoCustomerAdmin(ctx: DynamoContext): CustomerAdmin {
  const table = ctx.tables.customers;
  const settings = dynamoCustomerSettings(ctx);

  /** A refused client item: whose it is now. */
  async function clientTaken(clientId: string): Promise<CustomerWriteOutcome> {
    const owner = await settings.customerOfClient(clientId);
    return { ok: false, reason: 'client-taken', clientId, ...(owner ? { customerId: owner } : {}) };
  }

  return {
    getCustomer: (customerId) => settings.getCustomer(customerId),
    customerOfClient: (clientId) => settings.customerOfClient(clientId),

    async createCustomer(customer) {
      const clients = [...customer.machine_clients];
      const outcome = await transactWrite(ctx.db, () => [
        {
          Put: {
            TableName: table,
            Item: { ...customer, [DIRECTORY]: DIRECTORY_VALUE },
            ConditionExpression: 'attribute_not_exists(#id)',
            ExpressionAttributeNames: { '#id': 'customer_id' },
          },
        },
        ...clients.map((clientId) => clientPut(table, clientId, customer.customer_id)),
      ]);
      if (outcome.ok) return { ok: true, customer };
      if (outcome.failedConditions.has(0)) return { ok: false, reason: 'exists' };
      return clientTaken(clients[Math.min(...outcome.failedConditions) - 1]!);
    },

    async listCustomers(options) {
      const startKey = options.nextToken ? decodeCursor(options.nextToken, { fields: CURSOR_FIELDS, partition: [DIRECTORY, DIRECTORY_VALUE] }) : undefined;
      const result = await sdkCall(() =>
        ctx.db.send(
          new QueryCommand({
            TableName: table,
            IndexName: CUSTOMER_INDEXES.directory,
            KeyConditionExpression: '#d = :d',
            ExpressionAttributeNames: { '#d': DIRECTORY },
            ExpressionAttributeValues: { ':d': DIRECTORY_VALUE },
            Limit: options.limit,
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        ),
      );
      const nextToken = encodeCursor(result.LastEvaluatedKey);
      return { items: (result.Items ?? []).map(customerFromItem), ...(nextToken ? { nextToken } : {}) };
    },

    async updateCustomer(input) {
      const current = await settings.getCustomer(input.customerId);
      if (!current || current.version !== input.version) return { ok: false, reason: 'changed' };
      // Only what is given changes: a field given as undefined is left as it is.
      const changes = Object.fromEntries(Object.entries(input.changes).filter(([, value]) => value !== undefined)) as CustomerChanges;
      const next: CustomerRecord = { ...current, ...changes, version: current.version + 1, updated_at: input.at };
      const added = next.machine_clients.filter((clientId) => !current.machine_clients.includes(clientId));
      const removed = current.machine_clients.filter((clientId) => !next.machine_clients.includes(clientId));
      const e = new Expression();
      const set = Object.entries({ ...changes, version: next.version, updated_at: input.at, [DIRECTORY]: DIRECTORY_VALUE }).map(
        ([name, value]) => `${e.name(name)} = ${e.value(value)}`,
      );
      const condition =
        input.version === 0
          ? `attribute_exists(${e.name('customer_id')}) AND (attribute_not_exists(${e.name('version')}) OR ${e.name('version')} = ${e.value(0)})`
          : `${e.name('version')} = ${e.value(input.version)}`;
      const outcome = await transactWrite(ctx.db, () => [
        { Update: { TableName: table, Key: { customer_id: input.customerId }, UpdateExpression: `SET ${set.join(', ')}`, ConditionExpression: condition, ...e.params() } },
        ...added.map((clientId) => clientPut(table, clientId, input.customerId)),
        ...removed.map((clientId) => clientDelete(table, clientId, input.customerId)),
      ]);
      if (outcome.ok) return { ok: true, customer: next };
      if (outcome.failedConditions.has(0)) return { ok: false, reason: 'changed' };
      const index = Math.min(...outcome.failedConditions) - 1;
      return clientTaken(index < added.length ? added[index]! : removed[index - added.length]!);
    },

    async usage(customerId, month) {
      const result = await sdkCall(() => ctx.db.send(new GetCommand({ TableName: table, Key: { customer_id: CUSTOMER_ITEM_KEYS.counters(customerId) }, ConsistentRead: true })));
      const names = monthly(month);
      const count = (attribute: string): number => {
        const value = result.Item?.[attribute];
        return typeof value === 'number' ? value : 0;
      };
      return { customer_id: customerId, month, active_worksets: count(ACTIVE), worksets_registered: count(names.worksets), samples_registered: count(names.samples) };
    },
  };
}
