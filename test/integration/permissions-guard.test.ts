/**
 * The guard that holds handlers to their route's IAM policy on the emulators
 * (test/support/permissions-guard.ts): its translation of SDK requests into IAM
 * authorizations, its policy evaluation, and that it really stops a handler whose route does not
 * grant what the handler does.
 */
import { describe, expect, it } from 'vitest';
import { HTTP_ENTRIES, type HttpEntry, type EntryAccess } from '../../infra/entry-points.ts';
import { callRoute } from '../support/api.ts';
import {
  dynamodbAuthorizations,
  isAllowed,
  s3Authorizations,
  statementsFor,
  takeViolations,
} from '../support/permissions-guard.ts';
import { useLocalAws } from '../support/local-aws.ts';

const aws = useLocalAws('route-permissions-guard');
const REGION = 'us-west-2';
const table = (name: string) => `arn:aws:dynamodb:${REGION}:000000000000:table/${name}`;

describe('SDK requests as IAM authorizations', () => {
  it('authorizes each item of a transaction on its own, for document and low-level command names alike', () => {
    const input = {
      TransactItems: [
        { ConditionCheck: { TableName: 'customers' } },
        { Put: { TableName: 'worksets' } },
        { Update: { TableName: 'worksets' } },
        { Delete: { TableName: 'worksets' } },
      ],
    };
    const expected = [
      { action: 'dynamodb:ConditionCheckItem', resource: table('customers') },
      { action: 'dynamodb:PutItem', resource: table('worksets') },
      { action: 'dynamodb:UpdateItem', resource: table('worksets') },
      { action: 'dynamodb:DeleteItem', resource: table('worksets') },
    ];
    expect(dynamodbAuthorizations('TransactWriteCommand', input, REGION)).toEqual(expected);
    expect(dynamodbAuthorizations('TransactWriteItemsCommand', input, REGION)).toEqual(expected);
  });

  it('authorizes a query on the index it reads, and a batch read on every table it names', () => {
    expect(dynamodbAuthorizations('QueryCommand', { TableName: 'w', IndexName: 'state-queue-index' }, REGION)).toEqual([
      { action: 'dynamodb:Query', resource: `${table('w')}/index/state-queue-index` },
    ]);
    expect(dynamodbAuthorizations('BatchGetCommand', { RequestItems: { a: {}, b: {} } }, REGION)).toEqual([
      { action: 'dynamodb:BatchGetItem', resource: table('a') },
      { action: 'dynamodb:BatchGetItem', resource: table('b') },
    ]);
  });

  it('authorizes a copy as a read of its (encoded) source and a write of its target, and a listing with its prefix', () => {
    expect(s3Authorizations('CopyObjectCommand', { Bucket: 'b', Key: 'archive/x/f', CopySource: 'b/active/x/a%20b.txt' })).toEqual([
      { action: 's3:PutObject', resource: 'arn:aws:s3:::b/archive/x/f' },
      { action: 's3:GetObject', resource: 'arn:aws:s3:::b/active/x/a b.txt' },
    ]);
    expect(s3Authorizations('DeleteObjectsCommand', { Bucket: 'b', Delete: { Objects: [{ Key: 'k1' }, { Key: 'k2' }] } })).toEqual([
      { action: 's3:DeleteObject', resource: 'arn:aws:s3:::b/k1' },
      { action: 's3:DeleteObject', resource: 'arn:aws:s3:::b/k2' },
    ]);
    expect(s3Authorizations('ListObjectsV2Command', { Bucket: 'b', Prefix: 'active/x/' })).toEqual([
      { action: 's3:ListBucket', resource: 'arn:aws:s3:::b', s3Prefix: 'active/x/' },
    ]);
  });

  it('leaves commands it cannot translate unmapped, so the guard refuses them instead of guessing', () => {
    expect(dynamodbAuthorizations('DescribeTableCommand', { TableName: 'w' }, REGION)).toBeUndefined();
    expect(s3Authorizations('PutBucketPolicyCommand', { Bucket: 'b' })).toBeUndefined();
  });
});

describe('policy evaluation against the entry-point table', () => {
  const route = (id: string): HttpEntry => HTTP_ENTRIES.find((candidate) => candidate.id === id)!;
  const env = { ...aws.env };
  const bucket = `arn:aws:s3:::${aws.bucket}`;

  it('allows registration to put objects under the control prefix only', () => {
    const statements = statementsFor(route('CreateWorkset'), env);
    expect(isAllowed(statements, { action: 's3:PutObject', resource: `${bucket}/${aws.controlPrefix}ws-1/daylily.ready` })).toBe(true);
    expect(isAllowed(statements, { action: 's3:PutObject', resource: `${bucket}/elsewhere/daylily.ready` })).toBe(false);
    expect(isAllowed(statements, { action: 's3:GetObject', resource: `${bucket}/${aws.controlPrefix}ws-1/daylily.ready` })).toBe(false);
  });

  it('allows a listing only inside the granted prefix (the s3:prefix condition)', () => {
    const statements = statementsFor(route('ArchiveWorkset'), env);
    expect(isAllowed(statements, { action: 's3:ListBucket', resource: bucket, s3Prefix: `${aws.controlPrefix}ws-1/` })).toBe(true);
    expect(isAllowed(statements, { action: 's3:ListBucket', resource: bucket, s3Prefix: '' })).toBe(false);
    expect(isAllowed(statements, { action: 's3:ListBucket', resource: bucket })).toBe(false);
  });

  it('gives a read route reads only, on its own tables', () => {
    const statements = statementsFor(route('GetWorkset'), env);
    expect(isAllowed(statements, { action: 'dynamodb:GetItem', resource: table(aws.tables.worksets) })).toBe(true);
    expect(isAllowed(statements, { action: 'dynamodb:UpdateItem', resource: table(aws.tables.worksets) })).toBe(false);
    expect(isAllowed(statements, { action: 'dynamodb:GetItem', resource: table(aws.tables.customers) })).toBe(false);
  });
});

describe('the guard on a running handler', () => {
  const CREATE = HTTP_ENTRIES.find((candidate) => candidate.id === 'CreateWorkset')!;
  const BODY = { workset_name: 'guarded', pipeline_type: 'snv', reference_genome: 'GRCh38', samples: [{ sample_id: 'S1', r1_file: 's3://lab-data/S1_R1.fastq.gz' }] };

  async function registerAs(access: EntryAccess): Promise<number> {
    await aws.seedCustomer('guard-lab');
    const result = await callRoute({ ...CREATE, access }, { path: { customer_id: 'guard-lab' }, body: BODY });
    return result.status;
  }

  it('refuses a table write the route does not grant, as AWS would, and reports it', async () => {
    const status = await registerAs({ ...CREATE.access, tables: { ...CREATE.access.tables, worksets: 'read' } });
    expect(status).toBeGreaterThanOrEqual(500);
    const violations = takeViolations();
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ route: 'CreateWorkset', command: expect.stringMatching(/^TransactWrite/) });
    const { denied } = violations[0]!;
    // The record's Put (and the other writes of the registration transaction), never the
    // customer check, which the route may do.
    expect(denied).toContainEqual(expect.objectContaining({ action: 'dynamodb:PutItem', resource: table(aws.tables.worksets) }));
    expect(new Set(denied.map((request) => request.resource))).toEqual(new Set([table(aws.tables.worksets)]));
  });

  it('refuses control-bucket writes to a route without bucket access', async () => {
    const { controlBucket: _granted, ...withoutBucket } = CREATE.access;
    const status = await registerAs(withoutBucket);
    expect(status).toBeGreaterThanOrEqual(500);
    const denied = takeViolations().flatMap((violation) => violation.denied.map((request) => request.action));
    expect(denied).toContain('s3:PutObject');
  });

  it('lets the entry-point table\'s own access through', async () => {
    expect(await registerAs(CREATE.access)).toBe(201);
    expect(takeViolations()).toEqual([]);
  });
});
