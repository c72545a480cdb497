/**
 * Tenancy through the routes: a customer's quota of active worksets and its data locations hold
 * under concurrency, its counters agree with a recount of its worksets, and every customer route
 * answers only the caller its token (or its machine client) binds to that customer.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { SLOT_STATES, usageMonth } from '../../lambdas/lib/domain/customer.ts';
import type { WorksetState } from '../../lambdas/lib/domain/workset.ts';
import { documentClient } from '../../lambdas/lib/stores/dynamodb/dynamodb-client.ts';
import { s3Client } from '../../lambdas/lib/stores/s3/s3-client.ts';
import { WORKSET_INDEXES } from '../../lambdas/lib/stores/tables.ts';
import { call, customerUser, machineClient, operatorUser, tokenClaims, type TestPrincipal } from '../support/api.ts';
import { failCall, recordCalls } from '../support/faults.ts';
import { useLocalAws } from '../support/local-aws.ts';
import { newId, worksetFixtures } from '../support/worksets.ts';

const aws = useLocalAws('tenancy');
const { seed, record } = worksetFixtures(aws);
const BODY = { workset_name: 'quota run', pipeline_type: 'snv', reference_genome: 'GRCh38' };

/** A customer of its own per test: the functions cache settings per container for 30 s. */
async function customer(settings: Record<string, unknown> = {}): Promise<string> {
  const id = newId('lab');
  await aws.seedCustomer(id, { data_locations: ['s3://lab-data/runs/'], ...settings });
  return id;
}

const register = (customerId: string, body: Record<string, unknown> = {}, principal?: TestPrincipal | null, headers: Record<string, string> = {}) =>
  call('CreateWorkset', { path: { customer_id: customerId }, body: { ...BODY, ...body }, headers, ...(principal === undefined ? {} : { principal }) });
const usage = async (customerId: string) => (await call('GetCustomerUsage', { path: { customer_id: customerId } })).json;

/** The slots a customer's worksets hold, counted from the worksets themselves (the index by customer). */
async function recount(customerId: string): Promise<{ active: number; registered: number }> {
  let active = 0;
  let registered = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await aws.ddb.send(
      new QueryCommand({
        TableName: aws.tables.worksets,
        IndexName: WORKSET_INDEXES.byCustomer,
        KeyConditionExpression: 'customer_id = :c',
        ExpressionAttributeValues: { ':c': customerId },
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      if (SLOT_STATES.includes(item.state as WorksetState)) active += 1;
      if (usageMonth(item.created_at as string) === usageMonth(new Date().toISOString())) registered += 1;
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return { active, registered };
}

describe('the active-workset quota', () => {
  it('lets exactly 5 of 20 concurrent registrations through a quota of 5; the others are 429s naming the quota, its limit and the usage', async () => {
    const customerId = await customer({ max_active_worksets: 5 });
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => register(customerId, { workset_name: `burst ${i}` })));
    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(5);
    const refused = answers.filter((answer) => answer.status !== 201);
    expect(refused.map((answer) => answer.status)).toEqual(Array(15).fill(429));
    for (const answer of refused) {
      expect(answer.headers['content-type']).toBe('application/problem+json');
      expect(answer.json).toMatchObject({ status: 429, title: 'Quota exceeded', quota: 'max_active_worksets', limit: 5, usage: 5 });
    }
    expect(await usage(customerId)).toMatchObject({ active_worksets: 5, max_active_worksets: 5, worksets_registered: 5 });
    expect(await recount(customerId)).toEqual({ active: 5, registered: 5 });
  });

  it('frees a slot when a run ends, and refuses a retry, restore or return to ready that would pass the quota', async () => {
    const customerId = await customer({ max_active_worksets: 2 });
    const first = (await register(customerId)).json;
    await register(customerId);
    expect((await register(customerId)).status).toBe(429);

    expect((await call('CancelWorkset', { path: { customer_id: customerId, workset_id: first.workset_id } })).status).toBe(200);
    expect(await usage(customerId)).toMatchObject({ active_worksets: 1 });
    const third = await register(customerId);
    expect(third.status).toBe(201);

    // Full again: the canceled workset may not come back by any route.
    const retry = await call('RetryWorkset', { path: { customer_id: customerId, workset_id: first.workset_id } });
    expect(retry.status).toBe(429);
    expect(retry.json).toMatchObject({ quota: 'max_active_worksets', limit: 2, usage: 2 });
    const override = await call('OverrideWorksetState', { path: { workset_id: first.workset_id }, body: { state: 'ready', reason: 'operator retry' } });
    expect(override.status).toBe(429);
    expect(await record(first.workset_id)).toMatchObject({ state: 'canceled' });
    const archived = await call('ArchiveWorkset', { path: { customer_id: customerId, workset_id: first.workset_id } });
    expect(archived.status).toBe(200);
    expect((await call('RestoreWorkset', { path: { customer_id: customerId, workset_id: first.workset_id } })).status).toBe(200); // canceled: no slot
    expect(await usage(customerId)).toMatchObject({ active_worksets: 2 });

    // Deleting one frees a slot for the retry.
    expect((await call('DeleteWorkset', { path: { customer_id: customerId, workset_id: third.json.workset_id } })).status).toBe(200);
    expect((await call('RetryWorkset', { path: { customer_id: customerId, workset_id: first.workset_id } })).status).toBe(200);
    expect(await usage(customerId)).toMatchObject({ active_worksets: 2 });
    expect(await recount(customerId)).toMatchObject({ active: 2 });
  });

  it('costs a warm registration no read of the settings: two transactions and five puts', async () => {
    const customerId = await customer();
    const samples = [{ sample_id: 'S1', r1_file: 's3://lab-data/runs/S1_R1.fq.gz' }];
    expect((await register(customerId, { samples })).status).toBe(201);
    const dynamodb = recordCalls(documentClient(aws.region));
    const s3 = recordCalls(s3Client(aws.region));
    try {
      expect((await register(customerId, { samples })).status).toBe(201);
    } finally {
      dynamodb.stop();
      s3.stop();
    }
    // The registration's claim and its ready flip; no GetItem of the customer (its settings are cached).
    expect(dynamodb.calls.map((c) => c.command.replace('TransactWriteCommand', 'TransactWriteItemsCommand'))).toEqual(['TransactWriteItemsCommand', 'TransactWriteItemsCommand']);
    expect(s3.calls.filter((c) => c.command === 'PutObjectCommand')).toHaveLength(5);
  });

  it('gives the slot and the month\'s count back when a registration without a key fails and is removed', async () => {
    const customerId = await customer({ max_active_worksets: 1 });
    const restore = failCall(s3Client(aws.region), (c) => c.command === 'PutObjectCommand' && String(c.input.Key).endsWith('daylily_work.yaml'));
    try {
      expect((await register(customerId)).status).toBe(503);
    } finally {
      restore();
    }
    expect(await usage(customerId)).toMatchObject({ active_worksets: 0, worksets_registered: 0 });
    expect((await register(customerId)).status).toBe(201);
  });

  it('keeps its counters equal to a recount after a mixed concurrent run of registrations, cancels, deletes, retries and finished runs', async () => {
    const customerId = await customer({ max_active_worksets: 8 });
    const made = (await Promise.all(Array.from({ length: 6 }, (_, i) => register(customerId, { workset_name: `mixed ${i}` })))).map((answer) => answer.json.workset_id as string);
    const running = await seed({ customerId, state: 'in_progress', extra: { lock_owner: 'w-1', lease_epoch: 1, lease_expires_at: new Date(Date.now() + 60_000).toISOString() } });
    const failed = await seed({ customerId, state: 'failed' });
    const action = (id: string, route: string) => call(route, { path: { customer_id: customerId, workset_id: id } });
    const answers = await Promise.all([
      ...Array.from({ length: 6 }, (_, i) => register(customerId, { workset_name: `late ${i}` })),
      action(made[0]!, 'CancelWorkset'),
      action(made[1]!, 'CancelWorkset'),
      action(made[2]!, 'DeleteWorkset'),
      action(failed.workset_id, 'RetryWorkset'),
      call('SetWorksetState', { path: { workset_id: running.workset_id }, body: { state: 'complete', reason: 'done', owner_id: 'w-1', lease_epoch: 1 } }),
      action(made[3]!, 'CancelWorkset'),
    ]);
    // Every answer is a success or a quota refusal, never a lost update.
    expect(answers.every((answer) => answer.status === 200 || answer.status === 201 || answer.status === 429)).toBe(true);
    const counted = await usage(customerId);
    const recounted = await recount(customerId);
    expect(counted.active_worksets).toBe(recounted.active);
    expect(counted.active_worksets).toBeLessThanOrEqual(8);
    // Seeded worksets are not registrations; every registration that got a 201 is counted once.
    expect(counted.worksets_registered).toBe(6 + answers.slice(0, 6).filter((answer) => answer.status === 201).length);
  });
});

describe('a customer\'s settings', () => {
  it('refuse a suspended customer\'s new work (403) and keep its worksets readable', async () => {
    const customerId = await customer();
    const workset = await seed({ customerId, state: 'failed' });
    const suspended = await customer({ suspended: true });
    const theirs = await seed({ customerId: suspended, state: 'failed' });
    expect((await call('GetCustomerWorkset', { path: { customer_id: suspended, workset_id: theirs.workset_id } })).status).toBe(200);
    const create = await register(suspended);
    expect(create.status).toBe(403);
    expect(create.json.detail).toContain('suspended');
    expect((await call('RetryWorkset', { path: { customer_id: suspended, workset_id: theirs.workset_id } })).status).toBe(403);
    expect((await call('RetryWorkset', { path: { customer_id: customerId, workset_id: workset.workset_id } })).status).toBe(200);
  });

  it('refuse more samples than max_samples_per_workset (422 naming samples)', async () => {
    const customerId = await customer({ max_samples_per_workset: 2 });
    const samples = [1, 2, 3].map((n) => ({ sample_id: `S${n}`, r1_file: `s3://lab-data/runs/S${n}_R1.fq.gz` }));
    const answer = await register(customerId, { samples });
    expect(answer.status).toBe(422);
    expect(answer.json.errors).toEqual([{ field: 'samples', message: 'exceeds max_samples_per_workset (2)' }]);
    expect((await register(customerId, { samples: samples.slice(0, 2) })).status).toBe(201);
  });

  it.each([
    ['a data bucket outside them', { s3_bucket: 'other-lab' }, 's3_bucket'],
    ['a data prefix outside them', { s3_bucket: 'lab-data', s3_prefix: 'elsewhere/' }, 's3_prefix'],
    ['an absolute FASTQ outside them', { samples: [{ sample_id: 'S1', r1_file: 's3://lab-data/runs/S1_R1.fq.gz', r2_file: 's3://other-lab/S1_R2.fq.gz' }] }, 'samples[0].r2_file'],
    ['an export outside them', { export_uri: 's3://other-lab/results/' }, 'export_uri'],
    // Named as the customer wrote it: the sheet's line, the YAML's list.
    ['a sheet row outside them', { samples_tsv: 'sample_id\tr1\tr2\nS1\ts3://lab-data/runs/S1_R1.fq.gz\t\nS2\ts3://other-lab/S2_R1.fq.gz\t\n' }, 'samples_tsv[line 3].r1_file'],
    ['a YAML sample outside them', { yaml_content: 'samples:\n  - sample_id: S1\n    r1_file: s3://other-lab/S1_R1.fq.gz\n' }, 'yaml_content.samples[0].r1_file'],
  ])('refuse %s (422 naming the field), registering nothing', async (_what, body, field) => {
    const customerId = await customer();
    const answer = await register(customerId, body);
    expect(answer.status).toBe(422);
    expect(answer.json).toMatchObject({ status: 422, title: 'Not allowed for this customer' });
    expect(answer.json.errors).toEqual([{ field, message: 'is outside data_locations' }]);
    expect(await usage(customerId)).toMatchObject({ active_worksets: 0, worksets_registered: 0 });
  });

  // Names that are no location at all are refused by the request's own checks, before any customer's settings.
  it.each([
    ['a FASTQ name that climbs out of the data prefix', { s3_bucket: 'lab-data', s3_prefix: 'runs/', samples: [{ sample_id: 'S1', r1_file: '../secret/S1.fq.gz' }] }, 'must not contain "." or ".." path segments'],
    ['a FASTQ on another scheme', { samples: [{ sample_id: 'S1', r1_file: 'https://example.org/S1.fq.gz' }] }, 'must be an s3://bucket/key URI or a name under s3_bucket / s3_prefix'],
    ['a path on the cluster', { samples: [{ sample_id: 'S1', r1_file: '/fsx/other-lab/S1.fq.gz' }] }, 'must be an s3://bucket/key URI or a name under s3_bucket / s3_prefix'],
  ])('refuse %s (422 naming the field), registering nothing', async (_what, body, message) => {
    const customerId = await customer();
    const answer = await register(customerId, body);
    expect(answer.status).toBe(422);
    expect(answer.json).toMatchObject({ status: 422, title: 'Request cannot be processed' });
    expect(answer.json.errors).toEqual([{ field: 'samples[0].r1_file', message }]);
    expect(await usage(customerId)).toMatchObject({ active_worksets: 0, worksets_registered: 0 });
  });

  it('accept every location under them, relative names resolved against the data prefix', async () => {
    const customerId = await customer();
    const answer = await register(customerId, {
      s3_bucket: 'lab-data',
      s3_prefix: 'runs/7/',
      export_uri: 's3://lab-data/runs/7/results/',
      samples: [{ sample_id: 'S1', r1_file: 'S1_R1.fq.gz', r2_file: 's3://lab-data/runs/S1_R2.fq.gz' }],
    });
    expect(answer.status).toBe(201);
  });
});

describe('who may act for a customer', () => {
  it('answers 401 without a token, and another customer\'s token with the very 404 a missing workset gets', async () => {
    const customerId = await customer();
    const other = await customer();
    const workset = await seed({ customerId, state: 'ready', extra: { workset_name: 'confidential trio' } });
    const none = await call('GetCustomerWorkset', { path: { customer_id: customerId, workset_id: workset.workset_id }, principal: null });
    expect(none.status).toBe(401);
    const foreign = await call('GetCustomerWorkset', { path: { customer_id: customerId, workset_id: workset.workset_id }, principal: customerUser(other) });
    const missing = await call('GetCustomerWorkset', { path: { customer_id: customerId, workset_id: 'never-existed-0000abcd' } });
    expect(foreign.status).toBe(404);
    const withoutInstance = ({ instance: _instance, ...problem }: Record<string, unknown>) => problem;
    expect(withoutInstance(foreign.json)).toEqual(withoutInstance({ ...missing.json, detail: `Workset ${workset.workset_id} not found.` }));
    expect(foreign.text).not.toContain('confidential');
    // Writes too: nothing changed.
    expect((await call('CancelWorkset', { path: { customer_id: customerId, workset_id: workset.workset_id }, principal: customerUser(other) })).status).toBe(404);
    expect((await register(customerId, {}, customerUser(other))).status).toBe(404);
    expect(await record(workset.workset_id)).toMatchObject({ state: 'ready' });
  });

  it('refuses a token that names no customer, or two, with 403', async () => {
    const customerId = await customer();
    expect((await register(customerId, {}, { jwt: tokenClaims() })).status).toBe(403);
    expect((await register(customerId, {}, { jwt: tokenClaims({ groups: [`customer:${customerId}`, 'customer:someone-else'] }) })).status).toBe(403);
  });

  it('lets a machine client act for the customer its client id is registered to, and no other; an unregistered client is a 403', async () => {
    const customerId = await customer({ machine_clients: ['lims-client-7'] });
    // The client items the customers store writes beside a customer (seeded here as it would).
    await aws.ddb.send(new (await import('@aws-sdk/lib-dynamodb')).PutCommand({ TableName: aws.tables.customers, Item: { customer_id: 'client#lims-client-7', client_of: customerId } }));
    const created = await register(customerId, {}, machineClient('lims-client-7'));
    expect(created.status).toBe(201);
    expect(created.json.state_history[0].actor).toBe('client:lims-client-7');
    const other = await customer();
    expect((await register(other, {}, machineClient('lims-client-7'))).status).toBe(404);
    expect((await register(customerId, {}, machineClient('unknown-client'))).status).toBe(403);
  });

  it('lets an operator (the operators group) act for any customer, and names each caller in the history', async () => {
    const customerId = await customer();
    const byOperator = await register(customerId, {}, operatorUser('ops-alice'));
    expect(byOperator.status).toBe(201);
    expect(byOperator.json.state_history.map((entry: { actor: string }) => entry.actor)).toEqual(['operator:ops-alice', 'operator:ops-alice']);
    const byUser = await register(customerId, {}, customerUser(customerId, 'pi-bob'));
    expect(byUser.json.state_history[0].actor).toBe('user:pi-bob');
  });
});

describe('the operator routes that manage customers', () => {
  it('onboard a customer with a generated id, list, read, change and meter it', async () => {
    const created = await call('CreateCustomer', { body: { customer_name: 'Zebra Genomics', email: 'ops@zebra.example', data_locations: ['s3://zebra-data/runs'], max_active_worksets: 3, billing_tags: { 'cost-center': 'z-1' } } });
    expect(created.status).toBe(201);
    const customerId = created.json.customer_id as string;
    expect(customerId).toMatch(/^zebra-genomics-[0-9a-f]{8}$/);
    expect(created.headers.location).toBe(`/customers/${customerId}`);
    expect(created.json).toMatchObject({ data_locations: ['s3://zebra-data/runs/'], max_active_worksets: 3, max_samples_per_workset: 20_000, suspended: false, version: 1 });

    const listed: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await call('ListCustomers', { query: { limit: '2', ...(nextToken ? { next_token: nextToken } : {}) } });
      expect(page.status).toBe(200);
      listed.push(...page.json.customers.map((item: { customer_id: string }) => item.customer_id));
      nextToken = page.json.next_token ?? undefined;
    } while (nextToken);
    expect(listed).toContain(customerId);
    expect([...listed].sort()).toEqual(listed);

    const changed = await call('UpdateCustomer', { path: { customer_id: customerId }, body: { max_active_worksets: 4, suspended: true } });
    expect(changed.json).toMatchObject({ max_active_worksets: 4, suspended: true, version: 2, customer_name: 'Zebra Genomics' });
    expect((await call('GetCustomer', { path: { customer_id: customerId } })).json).toEqual(changed.json);
    expect((await call('GetCustomerUsage', { path: { customer_id: customerId } })).json).toEqual({
      customer_id: customerId,
      month: usageMonth(new Date().toISOString()),
      active_worksets: 0,
      max_active_worksets: 4,
      worksets_registered: 0,
      samples_registered: 0,
    });
    expect((await call('GetCustomer', { path: { customer_id: 'no-such-customer' } })).status).toBe(404);
  });

  it('refuse a data location in the control bucket, a malformed one, and a machine client another customer holds', async () => {
    const inControl = await call('CreateCustomer', { body: { customer_name: 'Sly', email: 'sly@example.org', data_locations: [`s3://${aws.bucket}/daylily_monitoring/`] } });
    expect(inControl.status).toBe(400);
    expect(inControl.json.errors).toEqual([{ field: 'data_locations[0]', message: 'must not be in the control bucket' }]);
    expect((await call('CreateCustomer', { body: { customer_name: 'Sly', email: 'sly@example.org', data_locations: ['s3://lab/../x/'] } })).status).toBe(400);
    const first = await call('CreateCustomer', { body: { customer_name: 'First', email: 'a@example.org', machine_clients: ['shared-client'] } });
    expect(first.status).toBe(201);
    const second = await call('CreateCustomer', { body: { customer_name: 'Second', email: 'b@example.org', machine_clients: ['shared-client'] } });
    expect(second.status).toBe(409);
    expect(second.json).toMatchObject({ client_id: 'shared-client', customer_id: first.json.customer_id });
    expect((await call('UpdateCustomer', { path: { customer_id: first.json.customer_id }, body: {} })).status).toBe(400);
  });
});
