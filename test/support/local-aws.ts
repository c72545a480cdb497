/**
 * Per-test-file AWS state on the run's shared emulators (see global-setup.ts): own tables, own
 * control bucket, and the environment a handler reads them from.
 *
 *   const aws = useLocalAws('create-workset');          // at the top of the test file
 *   const { handler } = await import('../../lambdas/handlers/create-workset.ts');  // inside a test
 *
 * The environment is set when `useLocalAws` is called (so at import time of the test file); the
 * tables and the bucket exist from its `beforeAll` on. Handlers read their settings on first
 * invocation, so import them dynamically (or at least invoke them) after this ran.
 */
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, expect, inject } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION, localAwsEnv } from '../../infra/local/emulators.ts';
import { ENV, resolveSettings } from '../../lambdas/lib/config/settings.ts';
import { ensureTables, type TableNames } from '../../lambdas/lib/stores/dynamodb/create-tables.ts';
import type {} from './global-setup.ts';
import { seedCustomerItem, type CustomerItem } from './customer-items.ts';
import { takeViolations } from './permissions-guard.ts';

export { ROOMY_SETTINGS, type CustomerItem } from './customer-items.ts';

export interface LocalAwsOptions {
  /** Sets DAYLILY_CONTROL_PREFIX; the settings' default prefix otherwise. */
  readonly controlPrefix?: string;
  /**
   * A DynamoDB Local of the test file's own instead of the run's shared one (a test that stops it
   * for a real outage; see startDynamoDbLocal).
   */
  readonly dynamodbEndpoint?: string;
}


export interface LocalAws {
  /** Every variable `useLocalAws` set in process.env. */
  readonly env: Readonly<Record<string, string>>;
  readonly tables: TableNames;
  readonly bucket: string;
  /** The normalised control prefix handlers will use (ends with '/'). */
  readonly controlPrefix: string;
  readonly region: string;
  readonly ddb: DynamoDBDocumentClient;
  readonly s3: S3Client;
  /**
   * Puts a customer into this file's customers table (overwriting one with the same id), with the
   * settings of ROOMY_SETTINGS unless `attributes` says otherwise.
   */
  seedCustomer(customerId: string, attributes?: Record<string, unknown>, options?: { readonly onlyIfMissing?: boolean }): Promise<CustomerItem>;
  /** Every key in the bucket under `prefix`, sorted. */
  listKeys(prefix?: string): Promise<string[]>;
  /** The object's body as UTF-8, or undefined when there is no such key. */
  getText(key: string): Promise<string | undefined>;
}

/** Bucket and table name material: lower-case letters, digits and single hyphens. */
function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 30)
      .replace(/-+$/, '') || 'test'
  );
}

export function useLocalAws(name: string, options: LocalAwsOptions = {}): LocalAws {
  const endpoints = { ...inject('localAws'), ...(options.dynamodbEndpoint ? { dynamodb: options.dynamodbEndpoint } : {}) };
  const id = `${slug(name)}-${randomBytes(4).toString('hex')}`;
  const tables: TableNames = {
    worksets: `test-${id}-worksets`,
    customers: `test-${id}-customers`,
    idempotency: `test-${id}-idempotency`,
    notifications: `test-${id}-notifications`,
  };
  const bucket = `test-${id}`;
  const region = LOCAL_REGION;

  const env: Record<string, string> = {
    ...localAwsEnv(endpoints),
    AWS_REGION: region,
    [ENV.worksetTable]: tables.worksets,
    [ENV.customerTable]: tables.customers,
    [ENV.idempotencyTable]: tables.idempotency,
    [ENV.notificationTable]: tables.notifications,
    [ENV.controlBucket]: bucket,
    ...(options.controlPrefix === undefined ? {} : { [ENV.controlPrefix]: options.controlPrefix }),
  };
  // A developer's shell must not steer tests elsewhere: a profile would take precedence over the
  // local credentials, and a generic endpoint, monitor bucket or prefix would be picked up too.
  for (const variable of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL', ENV.monitorBucket, ENV.controlPrefix]) {
    delete process.env[variable];
  }
  Object.assign(process.env, env);

  const settings = resolveSettings({}, env);
  if (!settings.controlBucket.ok) throw new Error(`useLocalAws(${name}): ${settings.controlBucket.problem}`);
  const controlPrefix = settings.controlBucket.prefix;

  const dynamodb = new DynamoDBClient({ endpoint: endpoints.dynamodb, region, credentials: LOCAL_CREDENTIALS });
  const ddb = DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });
  const s3 = new S3Client({
    endpoint: endpoints.s3,
    region,
    credentials: LOCAL_CREDENTIALS,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });

  beforeAll(async () => {
    await Promise.all([ensureTables(dynamodb, tables), s3.send(new CreateBucketCommand({ Bucket: bucket }))]);
  });
  // A request a route's IAM policy would refuse fails the test, even when the handler recovered.
  afterEach(() => {
    expect(takeViolations(), 'AWS requests the entry-point table does not grant to their route').toEqual([]);
  });
  afterAll(() => {
    ddb.destroy();
    s3.destroy();
  });

  return {
    env,
    tables,
    bucket,
    controlPrefix,
    region,
    ddb,
    s3,
    seedCustomer: (customerId, attributes, options) => seedCustomerItem(ddb, tables.customers, customerId, attributes, options),
    async listKeys(prefix = '') {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
        keys.push(...(page.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : [])));
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return keys.sort();
    },
    async getText(key) {
      try {
        const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return await object.Body?.transformToString('utf8');
      } catch (error) {
        if (error instanceof NoSuchKey) return undefined;
        throw error;
      }
    },
  };
}
