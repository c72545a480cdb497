import { randomBytes } from 'node:crypto';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../infra/local/emulators.ts';
import { resolveSettings, tableNames } from '../../lambdas/lib/config/settings.ts';
import {
  createTableInput,
  ensureTables,
  type TableNames,
} from '../../lambdas/lib/stores/dynamodb/create-tables.ts';
import { CUSTOMER_INDEXES, TABLES, WORKSET_INDEXES, WORKSETS_TABLE } from '../../lambdas/lib/stores/tables.ts';

const client = new DynamoDBClient({ endpoint: inject('localAws').dynamodb, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
afterAll(() => client.destroy());

const uniqueNames = (): TableNames => {
  const id = randomBytes(4).toString('hex');
  return { worksets: `ct-${id}-worksets`, customers: `ct-${id}-customers`, idempotency: `ct-${id}-idempotency`, notifications: `ct-${id}-notifications` };
};

const describeTable = async (name: string): Promise<TableDescription> =>
  (await client.send(new DescribeTableCommand({ TableName: name }))).Table ?? {};

describe('ensureTables', () => {
  it('creates every table on demand, with its key, its indexes (projection ALL) and TTL', async () => {
    const names = uniqueNames();
    await ensureTables(client, names);

    const worksets = await describeTable(names.worksets);
    expect(worksets.TableStatus).toBe('ACTIVE');
    expect(worksets.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(worksets.KeySchema).toEqual([{ AttributeName: 'workset_id', KeyType: 'HASH' }]);
    const indexes = Object.fromEntries((worksets.GlobalSecondaryIndexes ?? []).map((index) => [index.IndexName, index]));
    expect(Object.keys(indexes).sort()).toEqual(Object.values(WORKSET_INDEXES).sort());
    expect(indexes[WORKSET_INDEXES.byCustomer]).toMatchObject({
      KeySchema: [
        { AttributeName: 'customer_id', KeyType: 'HASH' },
        { AttributeName: 'created_at', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
      IndexStatus: 'ACTIVE',
    });
    expect(indexes[WORKSET_INDEXES.byState]).toMatchObject({
      KeySchema: [
        { AttributeName: 'state', KeyType: 'HASH' },
        { AttributeName: 'queue_order', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    });
    // Sparse: only claimable worksets carry `claimable`, only live leases `live_lease`.
    expect(indexes[WORKSET_INDEXES.claimable]).toMatchObject({
      KeySchema: [
        { AttributeName: 'claimable', KeyType: 'HASH' },
        { AttributeName: 'queue_order', KeyType: 'RANGE' },
      ],
    });
    expect(indexes[WORKSET_INDEXES.leaseExpiry]).toMatchObject({
      KeySchema: [
        { AttributeName: 'live_lease', KeyType: 'HASH' },
        { AttributeName: 'lease_expires_at', KeyType: 'RANGE' },
      ],
    });

    const customers = await describeTable(names.customers);
    expect(customers.KeySchema).toEqual([{ AttributeName: 'customer_id', KeyType: 'HASH' }]);
    // The directory: customer items only (they alone carry `directory`), in id order.
    expect(customers.GlobalSecondaryIndexes).toEqual([
      expect.objectContaining({
        IndexName: CUSTOMER_INDEXES.directory,
        KeySchema: [
          { AttributeName: 'directory', KeyType: 'HASH' },
          { AttributeName: 'customer_id', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      }),
    ]);

    const idempotency = await describeTable(names.idempotency);
    expect(idempotency.KeySchema).toEqual([{ AttributeName: 'idempotency_key', KeyType: 'HASH' }]);
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: names.idempotency }));
    expect(ttl.TimeToLiveDescription).toMatchObject({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expires_at' });
  });

  // The directory index is built in the background: see the timeout of the next test.
  it('leaves existing tables alone but for the indexes they lack, and creates only the missing ones, however often it runs', { timeout: 120_000 }, async () => {
    const names = uniqueNames();
    // A customers table that predates us, with a schema of its own.
    await client.send(
      new CreateTableCommand({
        TableName: names.customers,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'customer_id', AttributeType: 'S' }, { AttributeName: 'email', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'customer_id', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [
          { IndexName: 'by-email', KeySchema: [{ AttributeName: 'email', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } },
        ],
      }),
    );
    const before = await describeTable(names.customers);

    await ensureTables(client, names);
    await ensureTables(client, names);

    const after = await describeTable(names.customers);
    expect(after.CreationDateTime).toEqual(before.CreationDateTime);
    // Its own index kept, the directory index (which a table from before it lacks) added.
    expect(after.GlobalSecondaryIndexes?.map((index) => index.IndexName).sort()).toEqual(['by-email', CUSTOMER_INDEXES.directory]);
    expect(after.KeySchema).toEqual(before.KeySchema);
    expect((await describeTable(names.worksets)).TableStatus).toBe('ACTIVE');
    expect((await describeTable(names.idempotency)).TableStatus).toBe('ACTIVE');
  });

  // DynamoDB Local builds an index it is asked to add in the background: about a second alone,
  // far longer while the run's other files keep the shared emulator busy.
  it('adds an index the definition has and an older table lacks (a data directory from before it), keeping the table', { timeout: 120_000 }, async () => {
    const names = uniqueNames();
    const older = createTableInput(WORKSETS_TABLE, names.worksets);
    const lacking = older.GlobalSecondaryIndexes!.filter((index) => index.IndexName !== WORKSET_INDEXES.reconcile);
    const keys = new Set(lacking.flatMap((index) => index.KeySchema!.map((key) => key.AttributeName)).concat('workset_id'));
    await client.send(new CreateTableCommand({ ...older, GlobalSecondaryIndexes: lacking, AttributeDefinitions: older.AttributeDefinitions!.filter((attribute) => keys.has(attribute.AttributeName)) }));
    const before = await describeTable(names.worksets);

    await ensureTables(client, names);

    const after = await describeTable(names.worksets);
    expect(after.CreationDateTime).toEqual(before.CreationDateTime);
    expect(after.GlobalSecondaryIndexes?.map((index) => index.IndexName).sort()).toEqual(WORKSETS_TABLE.indexes.map((index) => index.name).sort());
    expect(after.GlobalSecondaryIndexes?.every((index) => index.IndexStatus === 'ACTIVE')).toBe(true);
  });

  it('can run concurrently for the same names', async () => {
    const names = uniqueNames();
    await Promise.all([ensureTables(client, names), ensureTables(client, names)]);
    expect((await describeTable(names.worksets)).GlobalSecondaryIndexes).toHaveLength(WORKSETS_TABLE.indexes.length);
  });

  it('creates the tables `streams` names with a stream of both images, and the others without one', async () => {
    const names = uniqueNames();
    await ensureTables(client, names, { streams: ['worksets'] });

    const worksets = await describeTable(names.worksets);
    expect(worksets.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(worksets.LatestStreamArn).toContain(`table/${names.worksets}/stream/`);
    expect((await describeTable(names.customers)).StreamSpecification).toBeUndefined();
    expect((await describeTable(names.idempotency)).StreamSpecification).toBeUndefined();
  });

  it('turns the stream on for an existing table without one, and keeps that stream on later runs', async () => {
    const names = uniqueNames();
    await ensureTables(client, names);
    expect((await describeTable(names.worksets)).StreamSpecification).toBeUndefined();

    await ensureTables(client, names, { streams: ['worksets'] });
    const enabled = await describeTable(names.worksets);
    expect(enabled).toMatchObject({ TableStatus: 'ACTIVE', StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } });

    await ensureTables(client, names, { streams: ['worksets'] });
    expect((await describeTable(names.worksets)).LatestStreamArn).toBe(enabled.LatestStreamArn);
    expect((await describeTable(names.customers)).StreamSpecification).toBeUndefined();
  });

  it('refuses a table whose stream has another view type rather than replace the stream', async () => {
    const names = uniqueNames();
    await client.send(new CreateTableCommand({ ...createTableInput(WORKSETS_TABLE, names.worksets), StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' } }));

    await expect(ensureTables(client, names, { streams: ['worksets'] })).rejects.toThrow(/has a KEYS_ONLY stream; its stream entries need NEW_AND_OLD_IMAGES/);
    expect((await describeTable(names.worksets)).StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'KEYS_ONLY' });
  });
});

describe('createTableInput', () => {
  it('declares each key attribute once and only key attributes', () => {
    for (const definition of TABLES) {
      const input = createTableInput(definition, 'x');
      const names = (input.AttributeDefinitions ?? []).map((attribute) => attribute.AttributeName);
      expect(new Set(names).size).toBe(names.length);
    }
    expect(createTableInput(WORKSETS_TABLE, 'x').AttributeDefinitions).toEqual([
      { AttributeName: 'workset_id', AttributeType: 'S' },
      { AttributeName: 'customer_id', AttributeType: 'S' },
      { AttributeName: 'created_at', AttributeType: 'S' },
      { AttributeName: 'state', AttributeType: 'S' },
      { AttributeName: 'queue_order', AttributeType: 'S' },
      { AttributeName: 'claimable', AttributeType: 'S' },
      { AttributeName: 'live_lease', AttributeType: 'S' },
      { AttributeName: 'lease_expires_at', AttributeType: 'S' },
      { AttributeName: 'history_of', AttributeType: 'S' },
      { AttributeName: 'entry_id', AttributeType: 'S' },
      { AttributeName: 'reconcile_key', AttributeType: 'S' },
      { AttributeName: 'reconcile_at', AttributeType: 'S' },
    ]);
  });

  it('asks for a stream of both images only when told to', () => {
    expect(createTableInput(WORKSETS_TABLE, 'x').StreamSpecification).toBeUndefined();
    expect(createTableInput(WORKSETS_TABLE, 'x', { stream: true }).StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
  });
});

describe('tableNames', () => {
  it('maps the settings to a name per logical table', () => {
    const settings = resolveSettings({ tableName: 'w', customersTable: 'c', idempotencyTable: 'i', notificationsTable: 'n' }, {});
    expect(tableNames(settings)).toEqual({ worksets: 'w', customers: 'c', idempotency: 'i', notifications: 'n' });
  });
});
