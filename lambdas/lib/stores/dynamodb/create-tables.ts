/**
 * Creates the tables of `TABLES` that do not exist yet: the local server's `--create-table`, its
 * embedded mode and the test harness. Production tables come from the CDK stack, which reads the
 * same definitions; this is the SDK translation of them.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { TABLES, type IndexDefinition, type KeyAttribute, type TableDefinition, type TableNames } from '../tables.ts';

export type { TableNames };

export interface EnsureTablesOptions {
  /** How long to wait for a new table (and its indexes) to become ACTIVE. Default 5 minutes. */
  readonly timeoutMs?: number;
}


/**
 * Creates every missing table with its indexes and TTL, then waits until each is ACTIVE.
 * Existing tables are left exactly as they are: their schema is not compared or changed.
 */
export async function ensureTables(
  client: DynamoDBClient,
  names: TableNames,
  options: EnsureTablesOptions = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 5 * 60_000;
  await Promise.all(TABLES.map((definition) => ensureTable(client, definition, names[definition.logicalName], timeoutMs)));
}

async function ensureTable(
  client: DynamoDBClient,
  definition: TableDefinition,
  tableName: string,
  timeoutMs: number,
): Promise<void> {
  const existing = await describeTable(client, tableName);
  if (existing) {
    await waitUntilActive(client, tableName, timeoutMs);
    return;
  }
  try {
    await client.send(new CreateTableCommand(createTableInput(definition, tableName)));
  } catch (error) {
    // Another process created it between our DescribeTable and CreateTable: it is theirs to finish.
    if (error instanceof ResourceInUseException) {
      await waitUntilActive(client, tableName, timeoutMs);
      return;
    }
    throw error;
  }
  await waitUntilActive(client, tableName, timeoutMs);
  if (definition.ttlAttribute) await enableTtl(client, tableName, definition.ttlAttribute);
}

export function createTableInput(definition: TableDefinition, tableName: string): CreateTableCommandInput {
  const attributes = new Map<string, KeyAttribute>();
  const remember = (key: KeyAttribute | undefined): void => {
    if (!key) return;
    const seen = attributes.get(key.name);
    if (seen && seen.type !== key.type) {
      throw new Error(
        `Table ${definition.logicalName}: attribute ${key.name} is declared both as ${seen.type} and ${key.type}.`,
      );
    }
    attributes.set(key.name, key);
  };
  remember(definition.partitionKey);
  for (const index of definition.indexes) {
    remember(index.partitionKey);
    remember(index.sortKey);
  }

  const attributeDefinitions: AttributeDefinition[] = [...attributes.values()].map((key) => ({
    AttributeName: key.name,
    AttributeType: key.type,
  }));
  const globalSecondaryIndexes: GlobalSecondaryIndex[] = definition.indexes.map((index) => ({
    IndexName: index.name,
    KeySchema: keySchema(index),
    Projection: { ProjectionType: 'ALL' },
  }));

  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: attributeDefinitions,
    KeySchema: keySchema({ partitionKey: definition.partitionKey }),
    // DynamoDB rejects an empty GlobalSecondaryIndexes list.
    ...(globalSecondaryIndexes.length > 0 ? { GlobalSecondaryIndexes: globalSecondaryIndexes } : {}),
  };
}

function keySchema(key: Pick<IndexDefinition, 'partitionKey' | 'sortKey'>): KeySchemaElement[] {
  const schema: KeySchemaElement[] = [{ AttributeName: key.partitionKey.name, KeyType: 'HASH' }];
  if (key.sortKey) schema.push({ AttributeName: key.sortKey.name, KeyType: 'RANGE' });
  return schema;
}

async function describeTable(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

const isActive = (table: TableDescription | undefined): boolean =>
  table?.TableStatus === 'ACTIVE' &&
  (table.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE');

/**
 * Polls DescribeTable. Not the SDK's waiter: its delays are whole seconds from the first retry,
 * while DynamoDB Local tables are ACTIVE at once and real ones take a few seconds.
 */
async function waitUntilActive(client: DynamoDBClient, tableName: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delayMs = 50;
  for (;;) {
    if (isActive(await describeTable(client, tableName))) return;
    if (Date.now() + delayMs > deadline) {
      throw new Error(`DynamoDB table ${tableName} did not become ACTIVE within ${Math.round(timeoutMs / 1000)} s.`);
    }
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    delayMs = Math.min(delayMs * 2, 2_000);
  }
}

async function enableTtl(client: DynamoDBClient, tableName: string, attributeName: string): Promise<void> {
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: attributeName, Enabled: true },
      }),
    );
  } catch (error) {
    // Emulators without TTL support (older DynamoDB Local builds) answer UnknownOperationException.
    // Locally that only means expired records are never swept; any other error is real.
    if (error instanceof Error && error.name === 'UnknownOperationException') return;
    throw error;
  }
}
