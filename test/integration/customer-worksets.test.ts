import { beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '../../lambdas/lib/stores/dynamodb/dynamodb-client.ts';
import { call } from '../support/api.ts';
import { failCall } from '../support/faults.ts';
import { useLocalAws } from '../support/local-aws.ts';

const aws = useLocalAws('customer-worksets');
const BODY = { pipeline_type: 'germline', reference_genome: 'GRCh38' };

const create = (customerId: string, name: string, extra: Record<string, unknown> = {}) =>
  call('CreateWorkset', { path: { customer_id: customerId }, body: { ...BODY, workset_name: name, ...extra } });
const list = (customerId: string, query: Record<string, string> = {}) =>
  call('ListCustomerWorksets', { path: { customer_id: customerId }, query });

describe("a customer's worksets", () => {
  const owner = 'lab-owner';
  const other = 'lab-other';
  const created: string[] = [];

  beforeAll(async () => {
    await Promise.all([aws.seedCustomer(owner), aws.seedCustomer(other)]);
    // 250 worksets, created 10 at a time; the other customer gets a few to stay out of the listing.
    for (let batch = 0; batch < 25; batch += 1) {
      const responses = await Promise.all(
        Array.from({ length: 10 }, (_, i) => create(owner, `run ${batch * 10 + i}`, { priority: i % 3 === 0 ? 'urgent' : 'normal' })),
      );
      for (const response of responses) {
        expect(response.status).toBe(201);
        created.push(response.json.workset_id);
      }
    }
    for (let i = 0; i < 3; i += 1) expect((await create(other, `other ${i}`)).status).toBe(201);
  }, 120_000);

  it('pages through all 250 worksets newest first, with no duplicates or misses', async () => {
    const seen: Array<{ workset_id: string; created_at: string; customer_id: string }> = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const response = await list(owner, { limit: '100', ...(token ? { next_token: token } : {}) });
      expect(response.status).toBe(200);
      expect(response.json.worksets.length).toBeLessThanOrEqual(100);
      seen.push(...response.json.worksets);
      token = response.json.next_token ?? undefined;
      pages += 1;
    } while (token && pages < 10);
    expect(seen).toHaveLength(250);
    expect(new Set(seen.map((w) => w.workset_id))).toEqual(new Set(created));
    expect(seen.every((w) => w.customer_id === owner)).toBe(true);
    const times = seen.map((w) => w.created_at);
    expect(times).toEqual([...times].sort().reverse());
  });

  it('defaults to pages of 50', async () => {
    const response = await list(owner);
    expect(response.json.worksets).toHaveLength(50);
    expect(typeof response.json.next_token).toBe('string');
  });

  it('filters by state and still fills its pages', async () => {
    const ready = await list(owner, { state: 'ready', limit: '30' });
    expect(ready.status).toBe(200);
    expect(ready.json.worksets).toHaveLength(30);
    expect(ready.json.worksets.every((w: { state: string }) => w.state === 'ready')).toBe(true);
    const none = await list(owner, { state: 'complete' });
    expect(none.json).toEqual({ worksets: [], next_token: null });
  });

  it('shows one workset to its owner and hides it from another customer', async () => {
    const id = created[0]!;
    const mine = await call('GetCustomerWorkset', { path: { customer_id: owner, workset_id: id } });
    expect(mine.status).toBe(200);
    expect(mine.json).toMatchObject({ workset_id: id, customer_id: owner, state: 'ready' });

    const theirs = await call('GetCustomerWorkset', { path: { customer_id: other, workset_id: id } });
    const missing = await call('GetCustomerWorkset', { path: { customer_id: other, workset_id: 'no-such-workset-00000000' } });
    expect(theirs.status).toBe(404);
    expect(missing.status).toBe(404);
    // Same words for "someone else's" and "missing", so existence is not revealed.
    expect(theirs.json.detail.replace(id, 'X')).toBe(missing.json.detail.replace('no-such-workset-00000000', 'X'));
  });

  it('has one workset shape in create, get, list, the customer actions and the operator routes', async () => {
    const response = await create(owner, 'shape check');
    const path = { customer_id: owner, workset_id: response.json.workset_id };
    const got = await call('GetCustomerWorkset', { path });
    const listed = (await list(owner, { limit: '1' })).json.worksets[0];
    expect(Object.keys(got.json).sort()).toEqual(Object.keys(response.json).sort());
    expect(listed).toEqual(got.json);
    const operator = await call('GetWorkset', { path: { workset_id: response.json.workset_id } });
    expect(operator.json).toEqual(got.json);
    const canceled = await call('CancelWorkset', { path, body: { reason: 'shape check' } });
    expect(canceled.status).toBe(200);
    expect(Object.keys(canceled.json).sort()).toEqual(Object.keys(got.json).sort());
    expect(Object.keys(got.json)).toEqual(
      expect.arrayContaining([
        'workset_id',
        'customer_id',
        'workset_name',
        'state',
        'priority',
        'pipeline_type',
        'reference_genome',
        'sample_count',
        'control_folder',
        'created_at',
        'updated_at',
        'state_history',
      ]),
    );
  });

  it.each([
    [{ limit: '0' }, 'limit'],
    [{ limit: '101' }, 'limit'],
    [{ limit: 'ten' }, 'limit'],
    [{ state: 'running' }, 'state'],
    [{ next_token: 'not-a-token' }, 'next_token'],
    [{ bogus: '1' }, 'bogus'],
  ])('rejects the query %j with a 400 naming %s', async (query, field) => {
    const response = await list(owner, query);
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.json.errors.map((error: { field: string }) => error.field)).toContain(field);
  });

  it('answers 503 with Retry-After, not 500, when DynamoDB throttles a read', async () => {
    const throttled = () =>
      Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
        name: 'ThrottlingException',
        $fault: 'client',
        $retryable: { throttling: true },
      });
    const remove = failCall(documentClient(aws.region), (c) => c.command === 'GetCommand' || c.command === 'GetItemCommand', { error: throttled });
    const response = await call('GetCustomerWorkset', { path: { customer_id: owner, workset_id: created[0]! } }).finally(remove);
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('1');
    expect(response.json.detail).not.toContain('throughput');
  });

  it("rejects another customer's cursor instead of reading their partition", async () => {
    const token = (await list(other, { limit: '1' })).json.next_token;
    expect(token).toBeTruthy();
    const response = await list(owner, { next_token: token });
    expect(response.status).toBe(400);
    expect(response.json.errors[0].field).toBe('next_token');
  });
});
