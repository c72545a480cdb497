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
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
  type StreamSpecification,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { TABLES, type IndexDefinition, type KeyAttribute, type TableDefinition, type TableNames } from '../tables.ts';

export type { TableNames };

export type TableName = TableDefinition['logicalName'];

export interface EnsureTablesOptions {
  /** How long to wait for a new table (and its indexes) to become ACTIVE. Default 5 minutes. */
  readonly timeoutMs?: number;
  /**
   * Tables that need a stream: the ones a stream entry reads (`streamTables` of the entry-point
   * table). They are created with one, and an existing one without a stream gets it.
   */
  readonly streams?: readonly TableName[];
}

/** The stream the stack gives a table a stream entry reads: both images of every change. */
export const STREAM_SPECIFICATION: Readonly<StreamSpecification> = { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' };

/**
 * Creates every missing table with its indexes and TTL (and its stream, where `streams` asks for
 * one), then waits until each is ACTIVE. Existing tables keep their schema, except that an index
 * the definition has and the table lacks is added (one at a time, as DynamoDB allows: a local
 * data directory older than an index gets it), and a table `streams` names gets its stream.
 */
export async function ensureTables(
  client: DynamoDBClient,
  names: TableNames,
  options: EnsureTablesOptions = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 5 * 60_000;
  const streams = new Set(options.streams ?? []);
  await Promise.all(
    TABLES.map((definition) =>
      ensureTable(client, definition, names[definition.logicalName], { timeoutMs, stream: streams.has(definition.logicalName) }),
    ),
  );
}

async function ensureTable(
  client: DynamoDBClient,
  definition: TableDefinition,
  tableName: string,
  options: { timeoutMs: number; stream: boolean },
): Promise<void> {
  const { timeoutMs } = options;
  const existing = await describeTable(client, tableName);
  if (existing) {
    await waitUntilActive(client, tableName, timeoutMs);
    await addMissingIndexes(client, definition, existing, timeoutMs);
    if (options.stream) await enableStream(client, existing, timeoutMs);
    return;
  }
  try {
    await client.send(new CreateTableCommand(createTableInput(definition, tableName, { stream: options.stream })));
  } catch (error) {
    // Another process created it between our DescribeTable and CreateTable: it is theirs to finish.
    if (error instanceof ResourceInUseException) {
      await waitUntilActive(client, tableName, timeoutMs);
      if (options.stream) await enableStream(client, (await describeTable(client, tableName))!, timeoutMs);
      return;
    }
    throw error;
  }
  await waitUntilActive(client, tableName, timeoutMs);
  if (definition.ttlAttribute) await enableTtl(client, tableName, definition.ttlAttribute);
}

/** Adds the definition's indexes the table lacks, one UpdateTable each, waiting for each to be ACTIVE. */
async function addMissingIndexes(client: DynamoDBClient, definition: TableDefinition, table: TableDescription, timeoutMs: number): Promise<void> {
  const present = new Set((table.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  const input = createTableInput(definition, table.TableName!);
  for (const index of input.GlobalSecondaryIndexes ?? []) {
    if (present.has(index.IndexName)) continue;
    const keys = new Set(index.KeySchema!.map((key) => key.AttributeName));
    try {
      await client.send(
        new UpdateTableCommand({
          TableName: table.TableName,
          AttributeDefinitions: input.AttributeDefinitions!.filter((attribute) => keys.has(attribute.AttributeName)),
          GlobalSecondaryIndexUpdates: [{ Create: index }],
        }),
      );
    } catch (error) {
      // Another process added it first: theirs is the same.
      const again = await describeTable(client, table.TableName!);
      if (!again?.GlobalSecondaryIndexes?.some((existing) => existing.IndexName === index.IndexName)) throw error;
    }
    await waitUntilActive(client, table.TableName!, timeoutMs);
  }
}

/**
 * Turns on the stream of an existing table. One with a stream of another view type is refused
 * rather than changed: switching means dropping the stream its readers are on.
 */
async function enableStream(client: DynamoDBClient, table: TableDescription, timeoutMs: number): Promise<void> {
  const tableName = table.TableName!;
  const current = table.StreamSpecification;
  if (current?.StreamEnabled) {
    if (current.StreamViewType === STREAM_SPECIFICATION.StreamViewType) return;
    throw new Error(
      `DynamoDB table ${tableName} has a ${current.StreamViewType} stream; its stream entries need ${STREAM_SPECIFICATION.StreamViewType}. ` +
        'Turn its stream off (UpdateTable) and start again to have it recreated.',
    );
  }
  try {
    await client.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: { ...STREAM_SPECIFICATION } }));
  } catch (error) {
    // Another process turned it on first (DynamoDB refuses a second enable): theirs is the same.
    const again = await describeTable(client, tableName);
    if (!(again?.StreamSpecification?.StreamEnabled && again.StreamSpecification.StreamViewType === STREAM_SPECIFICATION.StreamViewType)) throw error;
  }
  await waitUntilActive(client, tableName, timeoutMs);
}

export function createTableInput(
  definition: TableDefinition,
  tableName: string,
  options: { readonly stream?: boolean } = {},
): CreateTableCommandInput {
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
    ...(options.stream ? { StreamSpecification: { ...STREAM_SPECIFICATION } } : {}),
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
