/**
 * No phantom run (issue 9): a real DynamoDB outage between a registration's S3 writes and its
 * ready flip. This file runs its own DynamoDB Local (its data on disk, so it survives a restart):
 * the flip is held until the emulator is stopped, then goes out to nothing. The answer must not
 * say "nothing was queued"; once DynamoDB is back, one settle pass (the local `settle` command)
 * must leave no folder whose daylily.ready its record does not back and no ready record without
 * its files.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startDynamoDbLocal, type RunningEmulator } from '../../infra/local/emulators.ts';
import { settleCommand } from '../../infra/local/settle-command.ts';
import { registrationFiles } from '../../lambdas/lib/domain/registration.ts';
import { documentClient } from '../../lambdas/lib/stores/dynamodb/dynamodb-client.ts';
import { call } from '../support/api.ts';
import { holdCall } from '../support/faults.ts';
import { useLocalAws } from '../support/local-aws.ts';

const dataDir = await mkdtemp(join(tmpdir(), 'daylily-outage-dynamodb-'));
let dynamodb: RunningEmulator | undefined = await startDynamoDbLocal({ dbPath: dataDir });
const endpoint = dynamodb.endpoint;
const aws = useLocalAws('registration-outage', { dynamodbEndpoint: endpoint });

// A test that failed during its outage must not leave the next one without DynamoDB.
afterEach(async () => {
  if (!dynamodb) await recovery();
});
afterAll(async () => {
  await dynamodb?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** The outage: DynamoDB Local stops; it comes back on the same port with the same data. */
async function outage(): Promise<void> {
  await dynamodb!.stop();
  dynamodb = undefined;
}
async function recovery(): Promise<void> {
  dynamodb = await startDynamoDbLocal({ dbPath: dataDir, port: Number(new URL(endpoint).port) });
}

const BODY = {
  workset_name: 'outage',
  pipeline_type: 'snv',
  reference_genome: 'GRCh38',
  samples: [{ sample_id: 'S1', r1_file: 's3://lab-data/S1_R1.fastq.gz', r2_file: 's3://lab-data/S1_R2.fastq.gz' }],
};
const ALL_FILES = ['daylily.ready', 'daylily_info.yaml', 'daylily_work.yaml', 'sample_data/.keep', 'stage_samples.tsv'];

let customers = 0;
async function newCustomer(): Promise<string> {
  const id = `outage-${(customers += 1)}-${Date.now().toString(36)}`;
  await aws.seedCustomer(id);
  return id;
}

const create = (customerId: string, headers: Record<string, string> = {}) => call('CreateWorkset', { path: { customer_id: customerId }, body: BODY, headers });
const folderOf = (worksetId: string) => `${aws.controlPrefix}${worksetId}/`;
const filesOf = async (worksetId: string) => (await aws.listKeys(folderOf(worksetId))).map((key) => key.slice(folderOf(worksetId).length));
async function record(worksetId: string) {
  return (await aws.ddb.send(new GetCommand({ TableName: aws.tables.worksets, Key: { workset_id: worksetId }, ConsistentRead: true }))).Item;
}

/** The ready flip: registration's second transaction. */
const isFlip = (c: { command: string; input: any }) =>
  /^TransactWrite(Items)?Command$/.test(c.command) && (c.input.TransactItems ?? []).some((item: any) => item.Update?.ExpressionAttributeValues?.[':ready'] === 'ready');

/** Registers while DynamoDB goes down between the S3 writes and the flip; answers what the client got. */
async function registerThroughOutage(customerId: string, headers: Record<string, string> = {}) {
  const hold = holdCall(documentClient(aws.region), isFlip);
  try {
    const answer = create(customerId, headers);
    await hold.held;
    await outage();
    hold.release();
    return await answer;
  } finally {
    hold.release();
    hold.remove();
  }
}

/** The measure, over this file's whole control prefix and every ready record. */
async function invariantBreaches() {
  const keys = await aws.listKeys(aws.controlPrefix);
  const folders = [...new Set(keys.map((key) => key.slice(aws.controlPrefix.length).split('/')[0]!))];
  const unbacked: string[] = [];
  for (const id of folders) {
    if (keys.includes(`${folderOf(id)}daylily.ready`) && (await record(id))?.state !== 'ready') unbacked.push(id);
  }
  const ready = (await call('ListWorksets', { query: { state: 'ready', limit: '1000' } })).json.worksets as Array<{ workset_id: string; sample_count: number }>;
  const incomplete = ready
    .filter((workset) => [...registrationFiles(workset.sample_count), 'daylily.ready'].some((name) => !keys.includes(`${folderOf(workset.workset_id)}${name}`)))
    .map((workset) => workset.workset_id);
  return { unbacked, incomplete };
}

/** One settle pass, as an operator runs it: `daylily-workset-api settle --older-than 0s --json`. */
async function settlePass() {
  let out = '';
  let err = '';
  const code = await settleCommand(['--older-than', '0s', '--json'], { out: (text) => void (out += text), err: (text) => void (err += text) });
  expect(err).toBe('');
  expect(code).toBe(0);
  return JSON.parse(out) as { results: Array<{ workset_id: string; action: string }> };
}

describe('a DynamoDB outage between the S3 writes and the ready flip', () => {
  it('with an Idempotency-Key: 503 with the Location, outcome unknown; one settle pass completes it; the retry with the key gets 201', { timeout: 90_000 }, async () => {
    const customerId = await newCustomer();
    const key = `outage-${customerId}`;

    const failed = await registerThroughOutage(customerId, { 'Idempotency-Key': key });

    expect(failed.status).toBe(503);
    const id = failed.json.workset_id as string;
    expect(failed.headers.location).toBe(`/api/customers/${customerId}/worksets/${id}`);
    expect(failed.json.detail).toMatch(/outcome is unknown/);
    expect(failed.json.detail).toMatch(/same Idempotency-Key/);
    expect(failed.json.detail).not.toMatch(/[Nn]othing was queued/);
    // What an S3-only monitor would find: a complete folder with daylily.ready.
    expect(await filesOf(id)).toEqual(ALL_FILES);

    await recovery();
    expect(await record(id)).toMatchObject({ state: 'registering' });
    expect(await invariantBreaches()).toEqual({ unbacked: [id], incomplete: [] });

    const pass = await settlePass();

    expect(pass.results).toContainEqual(expect.objectContaining({ workset_id: id, action: 'completed' }));
    expect(await invariantBreaches()).toEqual({ unbacked: [], incomplete: [] });
    expect(await record(id)).toMatchObject({ state: 'ready' });
    const retried = await create(customerId, { 'Idempotency-Key': key });
    expect(retried.status).toBe(201);
    expect(retried.json).toMatchObject({ workset_id: id, state: 'ready' });
    expect(retried.headers['idempotent-replayed']).toBe('true');
  });

  it('without a key: 503 with the Location, outcome unknown; one settle pass rolls it back; submitting again registers exactly one workset', { timeout: 90_000 }, async () => {
    const customerId = await newCustomer();

    const failed = await registerThroughOutage(customerId);

    expect(failed.status).toBe(503);
    const id = failed.json.workset_id as string;
    expect(failed.headers.location).toBe(`/api/customers/${customerId}/worksets/${id}`);
    expect(failed.json.detail).toMatch(/outcome is unknown/);
    expect(failed.json.detail).not.toMatch(/[Nn]othing was queued/);
    expect(await filesOf(id)).toEqual(ALL_FILES);

    await recovery();
    expect(await invariantBreaches()).toEqual({ unbacked: [id], incomplete: [] });

    const pass = await settlePass();

    expect(pass.results).toContainEqual(expect.objectContaining({ workset_id: id, action: 'rolled-back' }));
    expect(await invariantBreaches()).toEqual({ unbacked: [], incomplete: [] });
    expect(await record(id)).toBeUndefined();
    expect(await filesOf(id)).toEqual([]);
    const located = await call('GetCustomerWorkset', { path: { customer_id: customerId, workset_id: id } });
    expect(located.status).toBe(404);
    const again = await create(customerId);
    expect(again.status).toBe(201);
    expect((await call('ListCustomerWorksets', { path: { customer_id: customerId } })).json.worksets).toHaveLength(1);
  });
});
