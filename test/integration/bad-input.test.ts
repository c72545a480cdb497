import { beforeAll, describe, expect, it } from 'vitest';
import { call, operatorUser } from '../support/api.ts';
import { useLocalAws } from '../support/local-aws.ts';

const aws = useLocalAws('bad-input');
const VALID = { workset_name: 'test-workset', pipeline_type: 'snv', reference_genome: 'GRCh38' };
const CUSTOMER = 'bad-input-lab';

const create = (body: unknown, headers: Record<string, string> = {}) =>
  call('CreateWorkset', { path: { customer_id: CUSTOMER }, body, headers });

describe('bad input to registration', () => {
  beforeAll(() => aws.seedCustomer(CUSTOMER));

  it('answers 415 for a body that is not JSON', async () => {
    const response = await create('workset_name=x', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(response.status).toBe(415);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.json).toMatchObject({ status: 415, title: 'Unsupported Media Type' });
  });

  it.each([
    ['malformed JSON', '{"workset_name": ', '(body)'],
    ['a JSON array', '[1,2]', '(body)'],
    ['JSON null', 'null', '(body)'],
  ])('answers 400 for %s', async (_what, body, field) => {
    const response = await create(body, { 'content-type': 'application/json' });
    expect(response.status).toBe(400);
    expect(response.json.errors[0].field).toBe(field);
  });

  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['a missing workset_name', { pipeline_type: 'snv', reference_genome: 'GRCh38' }, 'workset_name'],
    ['an empty workset_name', { ...VALID, workset_name: '   ' }, 'workset_name'],
    ['an oversized workset_name', { ...VALID, workset_name: 'x'.repeat(257) }, 'workset_name'],
    ['a numeric workset_name', { ...VALID, workset_name: 42 }, 'workset_name'],
    ['a missing pipeline_type', { workset_name: 'a', reference_genome: 'GRCh38' }, 'pipeline_type'],
    ['a pipeline_type with a space', { ...VALID, pipeline_type: 'snv; ls' }, 'pipeline_type'],
    ['an empty reference_genome', { ...VALID, reference_genome: '' }, 'reference_genome'],
    ['an unknown priority', { ...VALID, priority: 'high' }, 'priority'],
    ['a non-boolean enable_qc', { ...VALID, enable_qc: 'yes' }, 'enable_qc'],
    ['samples that are not a list', { ...VALID, samples: { sample_id: 'a' } }, 'samples'],
    ['a sample that is not an object', { ...VALID, samples: ['S1'] }, 'samples[0]'],
    ['a sample without an id', { ...VALID, samples: [{ r1_file: 'a.fq' }] }, 'samples[0].sample_id'],
    ['a tab in a sample value', { ...VALID, samples: [{ sample_id: 'S1', r1_file: 'a\tb.fq' }] }, 'samples[0].r1_file'],
    ['a newline in a sample id', { ...VALID, samples: [{ sample_id: 'S1\nS2' }] }, 'samples[0].sample_id'],
    ['a carriage return in a TSV field', { ...VALID, samples: [{ sample_id: 'S1', lib_prep: 'x\ry' }] }, 'samples[0].lib_prep'],
    ['an unknown sample field', { ...VALID, samples: [{ sample_id: 'S1', colour: 'blue' }] }, 'samples[0].colour'],
    ['duplicate sample ids', { ...VALID, samples: [{ sample_id: 'S1' }, { id: 'S1' }] }, 'samples[1].sample_id'],
    ['an unknown top-level field', { ...VALID, priorty: 'urgent' }, 'priorty'],
    ['an invalid email', { ...VALID, notification_email: 'not-an-email' }, 'notification_email'],
    ['an invalid data bucket', { ...VALID, s3_bucket: 'Bad_Bucket' }, 's3_bucket'],
    ['a data prefix escaping upwards', { ...VALID, s3_prefix: 'a/../b' }, 's3_prefix'],
    ['an export URI that is not s3', { ...VALID, export_uri: 'https://example.org/x' }, 'export_uri'],
    ['invalid YAML', { ...VALID, yaml_content: 'samples: [unclosed' }, 'yaml_content'],
    ['YAML that is a list', { ...VALID, yaml_content: '- a\n- b' }, 'yaml_content'],
    ['a YAML sample with a tab', { ...VALID, yaml_content: 'samples:\n  - sample_id: "a\\tb"' }, 'yaml_content.samples[0].sample_id'],
  ];

  it.each(cases)('answers 400 for %s, naming %s', async (_what, body, field) => {
    const response = await create(body);
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.json).toMatchObject({ status: 400, title: 'Invalid request', type: expect.stringContaining('invalid-input') });
    expect(response.json.errors.map((error: { field: string }) => error.field)).toContain(field);
    expect(response.text).not.toMatch(/at .*\.ts:\d+/); // no stack traces
  });

  it('answers 400 for an export_uri inside the control bucket (it could overwrite another workset)', async () => {
    const response = await create({ ...VALID, export_uri: `s3://${aws.bucket}/daylily_monitoring/active_worksets/someone-else/results/` });
    expect(response.status).toBe(400);
    expect(response.json.errors).toEqual([{ field: 'export_uri', message: 'must not be in the control bucket' }]);
    const elsewhere = await create({ ...VALID, export_uri: 's3://lab-results/run-7/' });
    expect(elsewhere.status).toBe(201);
    expect(elsewhere.json.export_uri).toBe('s3://lab-results/run-7/');
  });

  it('answers 400 for more samples than the limit', async () => {
    const samples = Array.from({ length: 20_001 }, (_, i) => ({ sample_id: `s${i}` }));
    const response = await create({ ...VALID, samples });
    expect(response.status).toBe(400);
    expect(response.json.errors[0]).toEqual({ field: 'samples', message: 'must have at most 20000 samples' });
  });

  it.each([
    ['a customer id with a slash', 'a/b'],
    ['a customer id with a space', 'a b'],
  ])('answers 400 for %s', async (_what, customerId) => {
    // An operator may name any customer, so the path reaches validation (a lab's token would be
    // refused first: another customer's path is a 404).
    const response = await call('CreateWorkset', { path: { customer_id: customerId }, body: VALID, principal: operatorUser() });
    expect(response.status).toBe(400);
    expect(response.json.errors[0].field).toBe('customer_id');
  });

  it('answers 400 for an Idempotency-Key with spaces', async () => {
    const response = await create(VALID, { 'Idempotency-Key': 'has spaces' });
    expect(response.status).toBe(400);
    expect(response.json.errors[0].field).toBe('Idempotency-Key');
  });

  it('lists at most 20 field errors and counts the rest, however large the invalid request', async () => {
    const samples = Array.from({ length: 5_000 }, (_, i) => ({ sample_id: `S${i}`, colour: 'blue' }));
    const response = await create({ ...VALID, samples });
    expect(response.status).toBe(400);
    expect(response.json.errors).toHaveLength(20);
    expect(response.json.errors[0]).toEqual({ field: 'samples[0].colour', message: 'is not a known field' });
    expect(response.json.errors_omitted).toBe(4_980);
    expect(response.text.length).toBeLessThan(4_000);
  });

  it('reports every bad field at once', async () => {
    const response = await create({ workset_name: '', pipeline_type: 3, priority: 'high' });
    expect(response.json.errors.map((error: { field: string }) => error.field).sort()).toEqual(
      ['pipeline_type', 'priority', 'reference_genome', 'workset_name'].sort(),
    );
  });
});

describe('forged cursors', () => {
  const token = (key: Record<string, unknown>) => Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
  const at = '2026-01-01T00:00:00.000Z';
  const worksetId = 'forged-00000000';

  it.each([
    ['empty key fields', { workset_id: '', customer_id: CUSTOMER, created_at: '' }],
    ['a malformed timestamp', { workset_id: worksetId, customer_id: CUSTOMER, created_at: 'yesterday' }],
    ['a key of another index', { workset_id: worksetId, state: 'ready', queue_order: `1#${at}` }],
    ['a number for a key', { workset_id: worksetId, customer_id: CUSTOMER, created_at: 5 }],
  ])("answers a customer listing's cursor with %s with a 400 naming next_token", async (_what, key) => {
    const response = await call('ListCustomerWorksets', { path: { customer_id: CUSTOMER }, query: { next_token: token(key) } });
    expect(response.status).toBe(400);
    expect(response.json.errors).toEqual([{ field: 'next_token', message: 'is invalid' }]);
  });

  it.each([
    ['empty key fields', { workset_id: '', state: 'ready', queue_order: '' }],
    ['a queue order without a priority', { workset_id: worksetId, state: 'ready', queue_order: at }],
    ['an unknown state', { state: 'sleeping' }],
  ])("answers an operator listing's cursor with %s with a 400 naming next_token", async (_what, key) => {
    const response = await call('ListWorksets', { query: { state: 'ready', next_token: token(key) } });
    expect(response.status).toBe(400);
    expect(response.json.errors).toEqual([{ field: 'next_token', message: 'is invalid' }]);
  });

  it("answers a history cursor that names another item than its entry's with a 400", async () => {
    const registered = await create(VALID);
    const worksetId = registered.json.workset_id as string;
    const path = { customer_id: CUSTOMER, workset_id: worksetId };
    for (const key of [
      { workset_id: '', history_of: worksetId, entry_id: '' },
      { workset_id: worksetId, history_of: worksetId, entry_id: '0000000001' },
      { workset_id: `${worksetId}#history#0000000002`, history_of: worksetId, entry_id: '0000000001' },
    ]) {
      const response = await call('WorksetLogs', { path, query: { next_token: token(key) } });
      expect(response.status, JSON.stringify(key)).toBe(400);
    }
    const real = token({ workset_id: `${worksetId}#history#0000000000`, history_of: worksetId, entry_id: '0000000000' });
    const page = await call('WorksetLogs', { path, query: { next_token: real } });
    expect(page.status).toBe(200);
    expect(page.json.logs.map((entry: { to: string }) => entry.to)).toEqual(['ready']);
  });
});
