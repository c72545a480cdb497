/** The customers store's contract against the in-memory store and the DynamoDB adapter on DynamoDB Local. */
import { randomBytes } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../infra/local/emulators.ts';
import { ensureTables } from '../../lambdas/lib/stores/dynamodb/create-tables.ts';
import { dynamoCustomerAdmin } from '../../lambdas/lib/stores/dynamodb/customer-admin.ts';
import { dynamoRegistrationStore } from '../../lambdas/lib/stores/dynamodb/dynamo-worksets.ts';
import { MemoryCustomerStore } from '../../lambdas/lib/stores/memory/memory-customers.ts';
import { MemoryWorksetStore } from '../../lambdas/lib/stores/memory/memory-worksets.ts';
import type { TableNames } from '../../lambdas/lib/stores/tables.ts';
import { useLocalAws } from '../support/local-aws.ts';
import { customersStoreContract } from './customers-store.contract.ts';

const aws = useLocalAws('customers-store-contract');
const admin = new DynamoDBClient({ endpoint: aws.env.AWS_ENDPOINT_URL_DYNAMODB, region: aws.region, credentials: LOCAL_CREDENTIALS });
afterAll(() => admin.destroy());

customersStoreContract('in memory', async () => {
  const customers = new MemoryCustomerStore();
  return { customers, registrations: new MemoryWorksetStore({ customerStore: customers }) };
});

customersStoreContract('DynamoDB', async () => {
  const id = randomBytes(4).toString('hex');
  const tables: TableNames = { worksets: `cust-${id}-worksets`, customers: `cust-${id}-customers`, idempotency: `cust-${id}-idempotency`, notifications: `cust-${id}-notifications` };
  await ensureTables(admin, tables);
  const ctx = { db: aws.ddb, tables, random: Math.random };
  return {
    customers: dynamoCustomerAdmin(ctx),
    registrations: dynamoRegistrationStore(ctx),
    async dispose() {
      await Promise.all(Object.values(tables).map((table) => admin.send(new DeleteTableCommand({ TableName: table }))));
    },
  };
});
