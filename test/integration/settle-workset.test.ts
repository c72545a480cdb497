/**
 * POST /worksets/{workset_id}/settle, the operator's settle pass for one workset, through the
 * route's real handler: held to the IAM statements its entry grants and to its documented answer.
 */
import { DeleteObjectsCommand } from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { documentClient } from '../../lambdas/lib/stores/dynamodb/dynamodb-client.ts';
import { call } from '../support/api.ts';
import { failCall } from '../support/faults.ts';
import { useLocalAws } from '../support/local-aws.ts';

const aws = useLocalAws('settle-workset');
const BODY = {
  workset_name: 'settle',
  pipeline_type: 'snv',
  reference_genome: 'GRCh38',
  samples: [{ sample_id: 'S1', r1_file: 's3://lab-data/S1_R1.fastq.gz' }],
};
const ALL_FILES = ['daylily.ready', 'daylily_info.yaml', 'daylily_work.yaml', 'sample_data/.keep', 'stage_samples.tsv'];

let customers = 0;
async function newCustomer(): Promise<string> {
  const id = `settle-${(customers += 1)}-${Date.now().toString(36)}`;
  await aws.seedCustomer(id);
  return id;
}

const create = (customerId: string, headers: Record<string, string> = {}) => call('CreateWorkset', { path: { customer_id: customerId }, body: BODY, headers });
const settle = (worksetId: string, body?: unknown) => call('SettleWorkset', { path: { workset_id: worksetId }, ...(body === undefined ? {} : { body }) });
const folderOf = (worksetId: string) => `${aws.controlPrefix}${worksetId}/`;
const filesOf = async (worksetId: string) => (await aws.listKeys(folderOf(worksetId))).map((key) => key.slice(folderOf(worksetId).length));
async function record(worksetId: string) {
  return (await aws.ddb.send(new GetCommand({ TableName: aws.tables.worksets, Key: { workset_id: worksetId }, ConsistentRead: true }))).Item;
}
const isTransaction = (c: { command: string }) => /^TransactWrite(Items)?Command$/.test(c.command);
const isRecordRead = (c: { command: string; input: any }) => /^Get(Item)?Command$/.test(c.command) && c.input.TableName === aws.tables.worksets;

/** A registration whose flip failed and whose record could not be read back: `registering`, every file, daylily.ready. */
async function phantom(customerId: string, headers: Record<string, string> = {}): Promise<string> {
  const removeFlipFault = failCall(documentClient(aws.region), isTransaction, { nth: 2 });
  const removeReadFault = failCall(documentClient(aws.region), isRecordRead, { times: 20 });
  const failed = await create(customerId, headers).finally(() => {
    removeFlipFault();
    removeReadFault();
  });
  expect(failed.status).toBe(503);
  const id = failed.json.workset_id as string;
  expect(await filesOf(id)).toEqual(ALL_FILES);
  return id;
}

describe('POST /worksets/{workset_id}/settle', () => {
  it('completes a keyed registration whose files are all there, once it is past the grace period (or told a shorter one); a dry run only says so', async () => {
    const customerId = await newCustomer();
    const key = `settle-${customerId}`;
    const id = await phantom(customerId, { 'Idempotency-Key': key });

    const young = await settle(id);
    expect(young.status).toBe(200);
    expect(young.json).toEqual({ workset_id: id, state: 'registering', action: 'too-recent' });

    const dry = await settle(id, { older_than_seconds: 0, dry_run: true });
    expect(dry.json).toEqual({ workset_id: id, state: 'registering', action: 'completed' });
    expect(await record(id)).toMatchObject({ state: 'registering' });

    const settled = await settle(id, { older_than_seconds: 0 });
    expect(settled.json).toEqual({ workset_id: id, state: 'registering', action: 'completed' });
    expect(await record(id)).toMatchObject({ state: 'ready' });
    expect(await filesOf(id)).toEqual(ALL_FILES);

    const retried = await create(customerId, { 'Idempotency-Key': key });
    expect(retried.status).toBe(201);
    expect(retried.json).toMatchObject({ workset_id: id, state: 'ready' });
    expect(retried.json).not.toHaveProperty('registration');
    expect((await settle(id, { older_than_seconds: 0 })).json.action).toBe('in-order');
  });

  it('rolls back a keyless registration: daylily.ready, its record and its files are gone', async () => {
    const customerId = await newCustomer();
    const id = await phantom(customerId);

    const settled = await settle(id, { older_than_seconds: 0 });

    expect(settled.json).toEqual({ workset_id: id, state: 'registering', action: 'rolled-back' });
    expect(await record(id)).toBeUndefined();
    expect(await filesOf(id)).toEqual([]);
    expect((await call('GetCustomerWorkset', { path: { customer_id: customerId, workset_id: id } })).status).toBe(404);
    expect((await call('QueueStats')).json.queue_depth.registering).toBe(0);
  });

  it('restores daylily.ready of a ready workset whose files are there, and only reports one missing a file', async () => {
    const customerId = await newCustomer();
    const restorable = (await create(customerId)).json.workset_id as string;
    const broken = (await create(customerId)).json.workset_id as string;
    const remove = (keys: string[]) => aws.s3.send(new DeleteObjectsCommand({ Bucket: aws.bucket, Delete: { Objects: keys.map((Key) => ({ Key })) } }));
    await remove([`${folderOf(restorable)}daylily.ready`, `${folderOf(broken)}daylily.ready`, `${folderOf(broken)}daylily_info.yaml`]);

    expect((await settle(restorable, { older_than_seconds: 0 })).json).toEqual({ workset_id: restorable, state: 'ready', action: 'restored' });
    expect(await filesOf(restorable)).toEqual(ALL_FILES);
    expect((await settle(broken, { older_than_seconds: 0 })).json).toEqual({ workset_id: broken, state: 'ready', action: 'files-missing', missing_files: ['daylily_info.yaml'] });
    expect(await filesOf(broken)).not.toContain('daylily.ready');
  });

  it('answers 404 for an unknown workset and 400 for a bad request', async () => {
    expect((await settle('no-such-workset-00000000')).status).toBe(404);
    const bad = await settle('no-such-workset-00000000', { older_than_seconds: -1 });
    expect(bad.status).toBe(400);
    expect(bad.json.errors).toEqual([{ field: 'older_than_seconds', message: 'must not be negative' }]);
  });
});
