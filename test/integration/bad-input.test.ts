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
    ['an unknown top-level field', { ...VALID, priorty: 'urgent' }, 'priorty'],
    ['an invalid email', { ...VALID, notification_email: 'not-an-email' }, 'notification_email'],
    ['an invalid data bucket', { ...VALID, s3_bucket: 'Bad_Bucket' }, 's3_bucket'],
    ['a data prefix escaping upwards', { ...VALID, s3_prefix: 'a/../b' }, 's3_prefix'],
    ['an export URI that is not s3', { ...VALID, export_uri: 'https://example.org/x' }, 'export_uri'],
    ['invalid YAML', { ...VALID, yaml_content: 'samples: [unclosed' }, 'yaml_content'],
    ['YAML that is a list', { ...VALID, yaml_content: '- a\n- b' }, 'yaml_content'],
    ['a YAML sample with a tab', { ...VALID, yaml_content: 'samples:\n  - sample_id: "a\\tb"' }, 'yaml_content.samples[0].sample_id'],
    ['a sheet that is not CSV', { ...VALID, samples_tsv: 'sample_id,r1\n"S1,a.fq\n' }, 'samples_tsv[line 2]'],
    ['a sheet row with more cells than its header', { ...VALID, samples_tsv: 'sample_id\tr1\nS1\ta.fq\textra\n' }, 'samples_tsv[line 2]'],
    ['a sheet column no sample has', { ...VALID, samples_tsv: 'sample_id,r1,colour\nS1,a.fq,blue\n' }, 'samples_tsv[line 2].colour'],
    ['a sheet row without a sample id', { ...VALID, s3_bucket: 'lab-data', samples_tsv: 'sample_id,r1\nS1,a.fq\n,b.fq\n' }, 'samples_tsv[line 3].sample_id'],
    ['a sheet naming a column twice', { ...VALID, samples_tsv: 'sample_id,LANE,lane\nS1,1,2\n' }, 'samples_tsv[line 1]'],
    ['a sheet value starting with a quote', { ...VALID, samples_tsv: 'sample_id\tr1\n"S1\ta.fq\n' }, 'samples_tsv[line 2].sample_id'],
    ['an empty sheet', { ...VALID, samples_tsv: '\n\n' }, 'samples_tsv[line 1]'],
  ];

  it.each(cases)('answers 400 for %s, naming %s', async (_what, body, field) => {
    const response = await create(body);
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.json).toMatchObject({ status: 400, title: 'Invalid request', type: expect.stringContaining('invalid-input') });
    expect(response.json.errors.map((error: { field: string }) => error.field)).toContain(field);
    expect(response.text).not.toMatch(/at .*\.ts:\d+/); // no stack traces
  });

  it('a malformed sheet is a 400 that also lists what registration could not process', async () => {
    const response = await create({ ...VALID, pipeline_type: 'rnaseq', samples_tsv: 'sample_id,r1\n"S1,a.fq\n' });
    expect(response.status).toBe(400);
    expect(response.json.errors.map((error: { field: string }) => error.field)).toEqual(['samples_tsv[line 2]', 'pipeline_type']);
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

  it('quotes at most a few dozen characters of a client\'s unknown key or invalid value back', async () => {
    const key = 'k'.repeat(100_000);
    const response = await create({ ...VALID, enable_qc: 'x'.repeat(100_000), [key]: 1 });
    expect(response.status).toBe(400);
    expect(response.json.errors.map((error: { field: string }) => error.field).sort()).toEqual(['enable_qc', `${'k'.repeat(40)}…`]);
    expect(response.json.errors.find((error: { field: string }) => error.field === 'enable_qc').message).toBe(`Invalid type: Expected boolean but received "${'x'.repeat(39)}…`);
    expect(response.text.length).toBeLessThan(1_000);
  });

  it('reports every bad field at once', async () => {
    const response = await create({ workset_name: '', pipeline_type: 3, priority: 'high' });
    expect(response.json.errors.map((error: { field: string }) => error.field).sort()).toEqual(
      ['pipeline_type', 'priority', 'reference_genome', 'workset_name'].sort(),
    );
  });
});

describe('registrations that cannot be processed (422)', () => {
  beforeAll(() => aws.seedCustomer(CUSTOMER));
  const S3 = (name: string) => `s3://lab-data/runs/7/${name}`;

  const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['an unknown pipeline', { ...VALID, pipeline_type: 'rnaseq' }, 'pipeline_type', /one of: test_help, germline_wgs_snv \(germline, snv\), germline_wgs_snv_sv \(sv\), germline_wgs_kitchensink \(wgs\)/],
    ['an unknown genome', { ...VALID, reference_genome: 'hg0' }, 'reference_genome', /one of: b37 \(GRCh37\), hg38 \(GRCh38\), hg38_broad$/],
    ['hg19 (which is not b37)', { ...VALID, reference_genome: 'hg19' }, 'reference_genome', /hg19 is not b37/],
    ['samples and yaml_content both', { ...VALID, samples: [], yaml_content: 'samples: []' }, 'yaml_content', /give only one of samples, yaml_content/],
    ['samples and samples_tsv both', { ...VALID, samples: [], samples_tsv: 'sample_id\n' }, 'samples', /give only one of samples, samples_tsv/],
    ['a relative FASTQ name without s3_bucket', { ...VALID, samples: [{ sample_id: 'S1', r1_file: 'S1_R1.fq.gz' }] }, 'samples[0].r1_file', /relative name/],
    ['a relative FASTQ name in yaml_content without s3_bucket', { ...VALID, yaml_content: 'samples:\n  - {sample_id: S1, r1: S1_R1.fq.gz}\n' }, 'yaml_content.samples[0].r1_file', /relative name/],
    ['a relative FASTQ name in a sheet without s3_bucket', { ...VALID, samples_tsv: 'sample_id,r1\nS1,S1_R1.fq.gz\n' }, 'samples_tsv[line 2].r1_file', /relative name/],
    ['an absolute path as R2', { ...VALID, samples: [{ sample_id: 'S1', r1_file: S3('S1_R1.fq.gz'), r2_file: '/fsx/S1_R2.fq.gz' }] }, 'samples[0].r2_file', /s3:\/\/bucket\/key/],
    ['an https URI as R1', { ...VALID, samples: [{ sample_id: 'S1', r1_file: 'https://example.org/S1_R1.fq.gz' }] }, 'samples[0].r1_file', /s3:\/\/bucket\/key/],
    ['an s3 URI of a folder', { ...VALID, samples: [{ sample_id: 'S1', r1_file: 's3://lab-data/runs/' }] }, 'samples[0].r1_file', /s3:\/\/bucket\/key/],
    ['a name escaping its prefix', { ...VALID, s3_bucket: 'lab-data', s3_prefix: 'runs/7', samples: [{ sample_id: 'S1', r1_file: '../8/S1_R1.fq.gz' }] }, 'samples[0].r1_file', /"\.\."/],
    ['a sample without R1', { ...VALID, samples: [{ sample_id: 'S1', r2_file: S3('S1_R2.fq.gz') }] }, 'samples[0].r1_file', /is required/],
    ['duplicate sample ids', { ...VALID, samples: [{ sample_id: 'S1', r1_file: S3('a.fq') }, { id: 'S1', r1: S3('b.fq') }] }, 'samples[1].sample_id', /duplicates samples\[0\]\.sample_id/],
    ['duplicate sample ids in a sheet', { ...VALID, s3_bucket: 'lab-data', samples_tsv: 'SAMPLE_ID\tR1_FQ\nS1\ta.fq\nS2\tb.fq\nS1\tc.fq\n' }, 'samples_tsv[line 4].sample_id', /duplicates samples_tsv\[line 2\]\.sample_id/],
  ];

  it.each(cases)('answers 422 for %s, naming %s', async (_what, body, field, message) => {
    const response = await create(body);
    expect(response.status).toBe(422);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.json).toMatchObject({ status: 422, title: 'Request cannot be processed', type: expect.stringContaining('unprocessable-input') });
    const error = response.json.errors.find((candidate: { field: string }) => candidate.field === field);
    expect(error, JSON.stringify(response.json.errors)).toBeDefined();
    expect(error.message).toMatch(message);
  });

  it('names every problem at once', async () => {
    const response = await create({ ...VALID, pipeline_type: 'rnaseq', reference_genome: 'hg19', samples: [{ sample_id: 'S1', r1_file: 'a.fq' }, { sample_id: 'S1', r1_file: 'b.fq' }] });
    expect(response.status).toBe(422);
    expect(response.json.errors.map((error: { field: string }) => error.field)).toEqual(['pipeline_type', 'reference_genome', 'samples[0].r1_file', 'samples[1].sample_id', 'samples[1].r1_file']);
  });

  it('accepts the ids and aliases in any case', async () => {
    const response = await create({ ...VALID, pipeline_type: 'GERMLINE_WGS_SNV_SV', reference_genome: 'grch37' });
    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({ pipeline_type: 'germline_wgs_snv_sv', reference_genome: 'grch37', genome_build: 'b37' });
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

  it("answers a cursor from outside a priority's range of the queue with a 400, not DynamoDB's ValidationException", async () => {
    const urgent = token({ workset_id: worksetId, state: 'ready', queue_order: `0#${at}` });
    const response = await call('ListWorksets', { query: { priority: 'normal', next_token: urgent } });
    expect(response.status).toBe(400);
    expect(response.json.errors).toEqual([{ field: 'next_token', message: 'is invalid' }]);
    const normal = token({ workset_id: worksetId, state: 'ready', queue_order: `1#${at}` });
    expect((await call('ListWorksets', { query: { priority: 'normal', next_token: normal } })).status).toBe(200);
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
