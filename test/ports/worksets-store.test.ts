/**
 * One contract, two implementations: the in-memory worksets store the flow tests run on, and the
 * DynamoDB adapter on DynamoDB Local. Each DynamoDB test gets fresh tables (created and dropped
 * around it), since listings by state, the queue and the counters span the whole table.
 */
import { randomBytes } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../infra/local/emulators.ts';
import { moveDelta } from '../../lambdas/lib/domain/queue-counters.ts';
import { ensureTables } from '../../lambdas/lib/stores/dynamodb/create-tables.ts';
import { dynamoWorksetStore } from '../../lambdas/lib/stores/dynamodb/dynamo-worksets.ts';
import { counterUpdate } from '../../lambdas/lib/stores/dynamodb/expression.ts';
import { toItem } from '../../lambdas/lib/stores/dynamodb/queue-index.ts';
import { MemoryWorksetStore } from '../../lambdas/lib/stores/memory/memory-worksets.ts';
import type { TableNames } from '../../lambdas/lib/stores/tables.ts';
import { seedCustomerItem } from '../support/customer-items.ts';
import { useLocalAws } from '../support/local-aws.ts';
import { worksetStoreContract } from './worksets-store.contract.ts';

const aws = useLocalAws('worksets-store-contract');
const admin = new DynamoDBClient({ endpoint: aws.env.AWS_ENDPOINT_URL_DYNAMODB, region: aws.region, credentials: LOCAL_CREDENTIALS });
afterAll(() => admin.destroy());

worksetStoreContract('in memory', async () => {
  const store = new MemoryWorksetStore();
  return {
    store,
    addCustomer: async (customerId) => store.addCustomer(customerId),
    seed: async (record) => store.seedWorkset(record),
  };
});

worksetStoreContract('DynamoDB', async () => {
  const id = randomBytes(4).toString('hex');
  const tables: TableNames = { worksets: `port-${id}-worksets`, customers: `port-${id}-customers`, idempotency: `port-${id}-idempotency`, notifications: `port-${id}-notifications` };
  await ensureTables(admin, tables);
  return {
    store: dynamoWorksetStore({ db: aws.ddb, tables, random: Math.random }),
    async addCustomer(customerId) {
      await seedCustomerItem(aws.ddb, tables.customers, customerId);
    },
    async seed(record) {
      await aws.ddb.send(
        new TransactWriteCommand({
          TransactItems: [{ Put: { TableName: tables.worksets, Item: toItem(record) } }, counterUpdate(tables.worksets, moveDelta(null, record.state))!],
        }),
      );
    },
    async dispose() {
      await Promise.all(Object.values(tables).map((table) => admin.send(new DeleteTableCommand({ TableName: table }))));
    },
  };
});
