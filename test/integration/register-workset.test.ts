import { load } from 'js-yaml';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { documentClient } from '../../lambdas/lib/stores/dynamodb/dynamodb-client.ts';
import { BUILT_IN_RUNS } from '../../lambdas/lib/domain/pipeline-catalogue.ts';
import { findPipeline, renderDyR } from '../../lambdas/lib/domain/pipeline-commands.ts';
import { s3Client } from '../../lambdas/lib/stores/s3/s3-client.ts';
import { call } from '../support/api.ts';
import { failCall, holdCall, recordCalls } from '../support/faults.ts';
import { useLocalAws } from '../support/local-aws.ts';

const aws = useLocalAws('register-workset');
const CURL_BODY = { workset_name: 'test-workset', pipeline_type: 'snv', reference_genome: 'GRCh38' };
const SAMPLES = [
  { sample_id: 'S1', r1_file: 's3://lab-data/S1_R1.fastq.gz', r2_file: 's3://lab-data/S1_R2.fastq.gz' },
  { id: 'S2', fq1: 'S2_R1.fastq.gz', fq2: 'S2_R2.fastq.gz', lane: 2, sample_type: 'WES' },
];

let customers = 0;
async function newCustomer(): Promise<string> {
  const id = `lab-${(customers += 1)}-${Date.now().toString(36)}`;
  await aws.seedCustomer(id);
  return id;
}

const create = (customerId: string, body: unknown, headers: Record<string, string> = {}) =>
  call('CreateWorkset', { path: { customer_id: customerId }, body, headers });

async function record(worksetId: string) {
  const result = await aws.ddb.send(new GetCommand({ TableName: aws.tables.worksets, Key: { workset_id: worksetId }, ConsistentRead: true }));
  return result.Item;
}

const folderOf = (worksetId: string) => `${aws.controlPrefix}${worksetId}/`;
const filesOf = async (worksetId: string) =>
  (await aws.listKeys(folderOf(worksetId))).map((key) => key.slice(folderOf(worksetId).length));

/** A DynamoDB transaction: registration's claim (1st) and its ready flip (2nd). */
const isTransaction = (c: { command: string }) => c.command === 'TransactWriteCommand' || c.command === 'TransactWriteItemsCommand';

describe('registering a workset', () => {
  it('answers the configuration guide’s curl with 201, a Location and a ready workset', async () => {
    const customerId = await newCustomer();
    const response = await create(customerId, CURL_BODY);

    expect(response.status).toBe(201);
    const workset = response.json;
    expect(response.headers.location).toBe(`/api/customers/${customerId}/worksets/${workset.workset_id}`);
    expect(workset).toMatchObject({
      customer_id: customerId,
      workset_name: 'test-workset',
      state: 'ready',
      priority: 'normal',
      // The catalogue id the alias `snv` names; the genome as sent, and the build it names.
      pipeline_type: 'germline_wgs_snv',
      reference_genome: 'GRCh38',
      genome_build: 'hg38',
      sample_count: 0,
      control_folder: `s3://${aws.bucket}/${folderOf(workset.workset_id)}`,
    });
    expect(workset.workset_id).toMatch(/^test-workset-[0-9a-f]{8}$/);
    expect(workset.state_history.map((entry: { to: string }) => entry.to)).toEqual(['registering', 'ready']);
    expect(await record(workset.workset_id)).toMatchObject({ state: 'ready', customer_id: customerId });
    // No samples: no stage_samples.tsv and no sample_data/.
    expect(await filesOf(workset.workset_id)).toEqual(['daylily.ready', 'daylily_info.yaml', 'daylily_work.yaml']);
    // The monitor runs germline_wgs_snv's command on hg38, from the pinned day-clone tag.
    const work = load((await aws.getText(`${folderOf(workset.workset_id)}daylily_work.yaml`))!) as Record<string, unknown>;
    expect(work).toMatchObject({
      'day-clone': `-d ${workset.workset_id} -t main`,
      'dy-r': 'produce_snv_concordances produce_alignstats -p -k -j 200 --config aligners=["bwa2a"] dedupers=["dppl"] snv_callers=["deep19"]',
      genome_build: 'hg38',
    });
    const info = load((await aws.getText(`${folderOf(workset.workset_id)}daylily_info.yaml`))!) as Record<string, unknown>;
    expect(info).toMatchObject({ pipeline_type: 'germline_wgs_snv', requested_pipeline_type: 'snv', pipeline_catalogue_version: '1', reference_genome: 'GRCh38', genome_build: 'hg38' });
  });

  it('writes exactly the contract files with the right content, daylily.ready last', async () => {
    const customerId = await newCustomer();
    const recorder = recordCalls(s3Client(aws.region));
    const response = await create(customerId, {
      ...CURL_BODY,
      workset_name: 'Exome batch 7',
      priority: 'urgent',
      samples: SAMPLES,
      s3_bucket: 'lab-data',
      s3_prefix: 'runs/7',
      notification_email: 'pi@example.org',
    }).finally(recorder.stop);
    expect(response.status).toBe(201);
    const { workset_id: id } = response.json;
    const folder = folderOf(id);

    expect(await filesOf(id)).toEqual([
      'daylily.ready',
      'daylily_info.yaml',
      'daylily_work.yaml',
      'sample_data/.keep',
      'stage_samples.tsv',
    ]);
    const puts = recorder.calls.filter((c) => c.command === 'PutObjectCommand').map((c) => c.input.Key as string);
    expect(puts).toHaveLength(5);
    expect(puts.at(-1)).toBe(`${folder}daylily.ready`);

    const work = load((await aws.getText(`${folder}daylily_work.yaml`))!) as Record<string, unknown>;
    expect(work).toMatchObject({
      'day-clone': `-d ${id} -t main`,
      'dy-r': renderDyR(findPipeline(BUILT_IN_RUNS, 'germline_wgs_snv')!.dy_r),
      genome_build: 'hg38',
      export_uri: `s3://${aws.bucket}/${folder}results/`,
    });
    const info = load((await aws.getText(`${folder}daylily_info.yaml`))!) as Record<string, unknown>;
    expect(info).toMatchObject({
      workset_id: id,
      workset_name: 'Exome batch 7',
      customer_id: customerId,
      priority: 'urgent',
      sample_count: 2,
      sample_ids: ['S1', 'S2'],
      notification_email: 'pi@example.org',
      s3_bucket: aws.bucket,
      s3_prefix: folder.replace(/\/$/, ''),
      data_bucket: 'lab-data',
      data_prefix: 'runs/7/',
    });
    const [header, ...rows] = (await aws.getText(`${folder}stage_samples.tsv`))!.split('\n').map((line) => line.split('\t'));
    const byColumn = rows.map((row) => Object.fromEntries(header!.map((name, i) => [name, row[i]])));
    expect(byColumn).toEqual([
      expect.objectContaining({ RUN_ID: id, SAMPLE_ID: 'S1', R1_FQ: 's3://lab-data/S1_R1.fastq.gz', SAMPLE_TYPE: 'WGS', LANE: '1' }),
      expect.objectContaining({
        RUN_ID: id,
        SAMPLE_ID: 'S2',
        // Relative names resolve against the data location so the stager can find them.
        R1_FQ: 's3://lab-data/runs/7/S2_R1.fastq.gz',
        R2_FQ: 's3://lab-data/runs/7/S2_R2.fastq.gz',
        SAMPLE_TYPE: 'WES',
        LANE: '2',
      }),
    ]);
    expect(await aws.getText(`${folder}daylily.ready`)).toBe(response.json.created_at);
  });

  it('never writes control files into the customer’s data bucket', async () => {
    const customerId = await newCustomer();
    const response = await create(customerId, { ...CURL_BODY, s3_bucket: 'customer-data-bucket', s3_prefix: 'somewhere/' });
    expect(response.status).toBe(201);
    expect(response.json.control_folder).toBe(`s3://${aws.bucket}/${folderOf(response.json.workset_id)}`);
    expect(response.json).toMatchObject({ data_bucket: 'customer-data-bucket', data_prefix: 'somewhere/' });
  });

  it('takes samples from yaml_content when samples is absent', async () => {
    const customerId = await newCustomer();
    const yaml = 'samples:\n  - sample_id: yaml_sample1\n    r1_file: s3://lab-data/a_R1.fq.gz\n  - name: yaml_sample2\n    r1: s3://lab-data/b_R1.fq.gz\n';
    const response = await create(customerId, { ...CURL_BODY, yaml_content: yaml });
    expect(response.status).toBe(201);
    expect(response.json.sample_count).toBe(2);
    const tsv = await aws.getText(`${folderOf(response.json.workset_id)}stage_samples.tsv`);
    expect(tsv?.split('\n').slice(1).map((row) => row.split('\t')[1])).toEqual(['yaml_sample1', 'yaml_sample2']);
  });

  it('answers 404 for an unknown customer and writes nothing', async () => {
    const recorder = recordCalls(s3Client(aws.region));
    const response = await create('no-such-customer', { ...CURL_BODY, workset_name: 'orphan' }).finally(recorder.stop);
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.json.detail).toContain('no-such-customer');
    expect(recorder.calls).toEqual([]);
    expect(await aws.listKeys(`${aws.controlPrefix}orphan`)).toEqual([]);
  });

  it('gives hostile names a safe id and still writes parseable YAML', async () => {
    const customerId = await newCustomer();
    const name = `a; rm -rf / $(x) ../.. "quoted" 'single' \`tick\``;
    const response = await create(customerId, { ...CURL_BODY, workset_name: name });
    expect(response.status).toBe(201);
    const { workset_id: id } = response.json;
    expect(id).toMatch(/^[a-z0-9-]+-[0-9a-f]{8}$/);
    expect(id.length).toBeLessThanOrEqual(39);
    const work = load((await aws.getText(`${folderOf(id)}daylily_work.yaml`))!) as Record<string, string>;
    expect(work['day-clone']).toBe(`-d ${id} -t main`);
    const info = load((await aws.getText(`${folderOf(id)}daylily_info.yaml`))!) as Record<string, string>;
    expect(info.workset_name).toBe(name);
  });

  it('rejects a name with a newline as a control character', async () => {
    const customerId = await newCustomer();
    const response = await create(customerId, { ...CURL_BODY, workset_name: 'line one\nline two' });
    expect(response.status).toBe(400);
    expect(response.json.errors).toEqual([{ field: 'workset_name', message: 'must not contain control characters' }]);
  });

  it('registers 10,000 samples and keeps the DynamoDB item under 8 KB', async () => {
    const customerId = await newCustomer();
    const samples = Array.from({ length: 10_000 }, (_, i) => ({
      sample_id: `SAMPLE_${String(i).padStart(5, '0')}`,
      r1_file: `s3://lab-data/run/SAMPLE_${i}_R1.fastq.gz`,
      r2_file: `s3://lab-data/run/SAMPLE_${i}_R2.fastq.gz`,
    }));
    const response = await create(customerId, { ...CURL_BODY, samples });
    expect(response.status).toBe(201);
    expect(response.json.sample_count).toBe(10_000);
    const item = await record(response.json.workset_id);
    expect(Buffer.byteLength(JSON.stringify(item))).toBeLessThan(8 * 1024);
    const tsv = await aws.getText(`${folderOf(response.json.workset_id)}stage_samples.tsv`);
    expect(tsv?.split('\n')).toHaveLength(10_001);
  });
});

describe('registration under faults', () => {
  const ddbClient = () => documentClient(aws.region);
  const s3 = () => s3Client(aws.region);

  const files = ['daylily_work.yaml', 'daylily_info.yaml', 'stage_samples.tsv', 'sample_data/.keep', 'daylily.ready'];

  it.each(files)('a failed put of %s answers 503, leaves nothing ready, and a retry with the same key completes', async (file) => {
    const customerId = await newCustomer();
    const body = { ...CURL_BODY, workset_name: `fault ${file}`, samples: SAMPLES, s3_bucket: 'lab-data' };
    const key = `fault-${file}-${customerId}`;
    const remove = failCall(s3(), (c) => c.command === 'PutObjectCommand' && String(c.input.Key).endsWith(`/${file}`));
    const failed = await create(customerId, body, { 'Idempotency-Key': key }).finally(remove);

    expect(failed.status).toBe(503);
    expect(failed.headers['content-type']).toBe('application/problem+json');
    expect(failed.json.detail).toMatch(/Registration of workset .* failed/);
    expect(failed.json.detail).not.toContain('injected');
    const listing = await call('ListCustomerWorksets', { path: { customer_id: customerId } });
    expect(listing.json.worksets).toHaveLength(1);
    const stuck = listing.json.worksets[0];
    expect(stuck.state).toBe('registering');
    expect(await aws.getText(`${folderOf(stuck.workset_id)}daylily.ready`)).toBeUndefined();

    const retried = await create(customerId, body, { 'Idempotency-Key': key });
    expect(retried.status).toBe(201);
    expect(retried.json.workset_id).toBe(stuck.workset_id);
    expect(retried.json.state).toBe('ready');
    expect(await filesOf(stuck.workset_id)).toHaveLength(5);
    expect(await record(stuck.workset_id)).toMatchObject({ state: 'ready' });
  });

  it('without an idempotency key, a failed registration is removed, not left half-written', async () => {
    const customerId = await newCustomer();
    const remove = failCall(s3(), (c) => c.command === 'PutObjectCommand' && String(c.input.Key).endsWith('/stage_samples.tsv'));
    const failed = await create(customerId, { ...CURL_BODY, samples: SAMPLES, s3_bucket: 'lab-data' }).finally(remove);
    expect(failed.status).toBe(503);
    const listing = await call('ListCustomerWorksets', { path: { customer_id: customerId } });
    expect(listing.json.worksets).toEqual([]);
  });

  it('a failed DynamoDB write answers 503 (never 409) and writes nothing to S3', async () => {
    const customerId = await newCustomer();
    const recorder = recordCalls(s3());
    const remove = failCall(ddbClient(), isTransaction);
    const failed = await create(customerId, CURL_BODY, { 'Idempotency-Key': `ddb-${customerId}` }).finally(() => {
      remove();
      recorder.stop();
    });
    expect(failed.status).toBe(503);
    expect(recorder.calls).toEqual([]);
    const retried = await create(customerId, CURL_BODY, { 'Idempotency-Key': `ddb-${customerId}` });
    expect(retried.status).toBe(201);
  });

  it('a registration whose ready flip took effect but whose reply was lost answers 201 and keeps its files', async () => {
    const customerId = await newCustomer();
    const remove = failCall(ddbClient(), isTransaction, { nth: 2, afterSend: true });
    const response = await create(customerId, { ...CURL_BODY, samples: SAMPLES, s3_bucket: 'lab-data' }).finally(remove);
    expect(response.status).toBe(201);
    expect(await record(response.json.workset_id)).toMatchObject({ state: 'ready' });
    expect(await filesOf(response.json.workset_id)).toHaveLength(5);
  });

  it('without an idempotency key, a failed ready flip removes the record, then its files', async () => {
    const customerId = await newCustomer();
    const recorder = recordCalls(s3());
    const remove = failCall(ddbClient(), isTransaction, { nth: 2 });
    const failed = await create(customerId, { ...CURL_BODY, workset_name: 'flip-no-key', samples: SAMPLES, s3_bucket: 'lab-data' }).finally(() => {
      remove();
      recorder.stop();
    });
    expect(failed.status).toBe(503);
    expect((await call('ListCustomerWorksets', { path: { customer_id: customerId } })).json.worksets).toEqual([]);
    const folder = String(recorder.calls.find((c) => c.command === 'PutObjectCommand')?.input.Key).replace(/[^/]+$/, '');
    expect(await aws.listKeys(folder)).toEqual([]);
  });

  it('without an idempotency key, a failed ready flip whose withdrawal of daylily.ready also fails leaves no lone daylily.ready', async () => {
    const customerId = await newCustomer();
    const recorder = recordCalls(s3());
    const removeFlipFault = failCall(ddbClient(), isTransaction, { nth: 2 });
    const removeWithdrawFault = failCall(s3(), (c) => c.command === 'DeleteObjectsCommand');
    const failed = await create(customerId, { ...CURL_BODY, workset_name: 'flip-no-key-withdraw', samples: SAMPLES, s3_bucket: 'lab-data' }).finally(() => {
      removeFlipFault();
      removeWithdrawFault();
      recorder.stop();
    });
    expect(failed.status).toBe(503);
    expect((await call('ListCustomerWorksets', { path: { customer_id: customerId } })).json.worksets).toEqual([]);
    const folder = String(recorder.calls.find((c) => c.command === 'PutObjectCommand')?.input.Key).replace(/[^/]+$/, '');
    // The record is gone: nothing may be left for the monitor, daylily.ready least of all.
    expect(await aws.listKeys(folder)).toEqual([]);
  });

  it('a failed ready flip whose record cannot be read back answers 503 with the workset\'s Location and says the outcome is unknown', async () => {
    const customerId = await newCustomer();
    const key = `unknown-${customerId}`;
    const removeFlipFault = failCall(ddbClient(), isTransaction, { nth: 2 });
    const removeReadFault = failCall(ddbClient(), (c) => /^Get(Item)?Command$/.test(c.command) && c.input.TableName === aws.tables.worksets, { times: 20 });
    const failed = await create(customerId, { ...CURL_BODY, samples: SAMPLES, s3_bucket: 'lab-data' }, { 'Idempotency-Key': key }).finally(() => {
      removeFlipFault();
      removeReadFault();
    });

    expect(failed.status).toBe(503);
    expect(failed.headers['retry-after']).toBeDefined();
    const id = failed.json.workset_id as string;
    expect(failed.headers.location).toBe(`/api/customers/${customerId}/worksets/${id}`);
    expect(failed.json.type).toBe('https://daylily.dev/problems/outcome-unknown');
    expect(failed.json.detail).toMatch(/outcome is unknown/);
    expect(failed.json.detail).not.toMatch(/[Nn]othing was queued/);
    // Left as it was for the settle pass (or the retry): the record `registering`, every file there.
    expect(await record(id)).toMatchObject({ state: 'registering' });
    expect(await filesOf(id)).toHaveLength(5);

    const located = await call('GetCustomerWorkset', { path: { customer_id: customerId, workset_id: id } });
    expect(located.json.state).toBe('registering');
    const retried = await create(customerId, { ...CURL_BODY, samples: SAMPLES, s3_bucket: 'lab-data' }, { 'Idempotency-Key': key });
    expect(retried.status).toBe(201);
    expect(retried.json.workset_id).toBe(id);
  });

  it('a failure marking the workset ready withdraws daylily.ready, and the retry completes', async () => {
    const customerId = await newCustomer();
    const key = `flip-${customerId}`;
    const remove = failCall(ddbClient(), isTransaction, { nth: 2 });
    const failed = await create(customerId, CURL_BODY, { 'Idempotency-Key': key }).finally(remove);
    expect(failed.status).toBe(503);
    const [stuck] = (await call('ListCustomerWorksets', { path: { customer_id: customerId } })).json.worksets;
    expect(stuck.state).toBe('registering');
    expect(await aws.getText(`${folderOf(stuck.workset_id)}daylily.ready`)).toBeUndefined();

    const retried = await create(customerId, CURL_BODY, { 'Idempotency-Key': key });
    expect(retried.status).toBe(201);
    expect(retried.json.workset_id).toBe(stuck.workset_id);
    expect(await aws.getText(`${folderOf(stuck.workset_id)}daylily.ready`)).toBeDefined();
  });
});

describe('idempotency', () => {
  it('replays the same status and body for the same key and body', async () => {
    const customerId = await newCustomer();
    const first = await create(customerId, CURL_BODY, { 'Idempotency-Key': 'same-1' });
    const second = await create(customerId, { reference_genome: 'GRCh38', pipeline_type: 'snv', workset_name: 'test-workset' }, { 'Idempotency-Key': 'same-1' });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.text).toBe(first.text);
    expect(second.headers.location).toBe(first.headers.location);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect((await call('ListCustomerWorksets', { path: { customer_id: customerId } })).json.worksets).toHaveLength(1);
  });

  it('answers 409 when a key is reused with a different body', async () => {
    const customerId = await newCustomer();
    await create(customerId, CURL_BODY, { 'Idempotency-Key': 'reused' });
    const conflict = await create(customerId, { ...CURL_BODY, priority: 'urgent' }, { 'Idempotency-Key': 'reused' });
    expect(conflict.status).toBe(409);
    expect(conflict.headers['content-type']).toBe('application/problem+json');
    expect(conflict.json.detail).toContain('different request body');
  });

  it('forgets a key after its 24 h window, even before DynamoDB TTL removes the record', async () => {
    const customerId = await newCustomer();
    const first = await create(customerId, CURL_BODY, { 'Idempotency-Key': 'old-key' });
    // Age the record past its window (TTL deletion can lag by hours).
    await aws.ddb.send(
      new UpdateCommand({
        TableName: aws.tables.idempotency,
        Key: { idempotency_key: `${customerId}#old-key` },
        UpdateExpression: 'SET #expires_at = :past',
        ExpressionAttributeNames: { '#expires_at': 'expires_at' },
        ExpressionAttributeValues: { ':past': Math.floor(Date.now() / 1000) - 1 },
      }),
    );
    const second = await create(customerId, { ...CURL_BODY, priority: 'low' }, { 'Idempotency-Key': 'old-key' });
    expect(second.status).toBe(201);
    expect(second.json.workset_id).not.toBe(first.json.workset_id);
    expect(second.headers['idempotent-replayed']).toBeUndefined();
  });

  it('scopes keys to the customer', async () => {
    const [a, b] = [await newCustomer(), await newCustomer()];
    const first = await create(a, CURL_BODY, { 'Idempotency-Key': 'shared-key' });
    const second = await create(b, CURL_BODY, { 'Idempotency-Key': 'shared-key' });
    expect(second.status).toBe(201);
    expect(second.json.workset_id).not.toBe(first.json.workset_id);
  });

  it('20 concurrent requests with one key create exactly one workset', async () => {
    const customerId = await newCustomer();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => create(customerId, { ...CURL_BODY, samples: SAMPLES, s3_bucket: 'lab-data' }, { 'Idempotency-Key': 'burst' })),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses).toEqual(Array(20).fill(201));
    // Every caller gets the one answer, byte for byte.
    expect(new Set(responses.map((response) => response.text)).size).toBe(1);
    const listing = await call('ListCustomerWorksets', { path: { customer_id: customerId } });
    expect(listing.json.worksets).toHaveLength(1);
    expect(listing.json.worksets[0].state).toBe('ready');
  });
});

describe('registration racing a delete or a same-key request', () => {
  const ddbClient = () => documentClient(aws.region);
  const s3 = () => s3Client(aws.region);
  const sentinelsOf = async (worksetId: string) => (await filesOf(worksetId)).filter((name) => name.startsWith('daylily.'));

  /** A keyed registration whose every put failed: a `registering` record, an empty folder. */
  async function stuckRegistration(name: string) {
    const customerId = await newCustomer();
    const key = `race-${name.replace(/ /g, '-')}-${customerId}`;
    const body = { ...CURL_BODY, workset_name: name };
    const remove = failCall(s3(), (c) => c.command === 'PutObjectCommand', { times: 10 });
    const failed = await create(customerId, body, { 'Idempotency-Key': key }).finally(remove);
    expect(failed.status).toBe(503);
    const [stuck] = (await call('ListCustomerWorksets', { path: { customer_id: customerId } })).json.worksets;
    expect(stuck.state).toBe('registering');
    expect(failed.json.detail).toContain(stuck.workset_id);
    return { customerId, key, body, worksetId: stuck.workset_id as string };
  }

  /** Resumes the registration with its key and runs `meanwhile` while its first file is in flight. */
  async function resumeAround(stuck: Awaited<ReturnType<typeof stuckRegistration>>, meanwhile: () => Promise<void>) {
    const hold = holdCall(s3(), (c) => c.command === 'PutObjectCommand' && String(c.input.Key).endsWith('/daylily_work.yaml'));
    try {
      const retry = create(stuck.customerId, stuck.body, { 'Idempotency-Key': stuck.key });
      await hold.held;
      await meanwhile();
      hold.release();
      return await retry;
    } finally {
      hold.release();
      hold.remove();
    }
  }

  const deleteWorkset = (customerId: string, worksetId: string, body: unknown) =>
    call('DeleteWorkset', { path: { customer_id: customerId, workset_id: worksetId }, body });

  it('a hard delete during a resumed registration leaves no orphan folder: the registration takes back what it wrote and answers 409', async () => {
    const stuck = await stuckRegistration('race hard delete');
    const retried = await resumeAround(stuck, async () => {
      const deleted = await deleteWorkset(stuck.customerId, stuck.worksetId, { hard_delete: true });
      expect(deleted.status).toBe(200);
    });

    expect(retried.status).toBe(409);
    expect(retried.headers['content-type']).toBe('application/problem+json');
    expect(retried.json.detail).toContain(stuck.worksetId);
    expect(retried.json.detail).toMatch(/deleted/);
    expect(await record(stuck.worksetId)).toBeUndefined();
    // Nothing the monitor could pick up, nothing left behind.
    expect(await filesOf(stuck.worksetId)).toEqual([]);

    // A later retry with the same key says the same, instead of a 503 inviting more retries.
    const again = await create(stuck.customerId, stuck.body, { 'Idempotency-Key': stuck.key });
    expect(again.status).toBe(409);
    expect(again.json.detail).toMatch(/deleted/);
  });

  it('a soft delete during a resumed registration is not reported as registered, and daylily.ready is withdrawn', async () => {
    const stuck = await stuckRegistration('race soft delete');
    const retried = await resumeAround(stuck, async () => {
      const deleted = await deleteWorkset(stuck.customerId, stuck.worksetId, {});
      expect(deleted.status).toBe(200);
      expect(deleted.json.state).toBe('deleted');
    });

    expect(retried.status).toBe(409);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
    expect(retried.json).toMatchObject({ current_state: 'deleted', workset_id: stuck.worksetId });
    expect(await record(stuck.worksetId)).toMatchObject({ state: 'deleted' });
    expect(await sentinelsOf(stuck.worksetId)).toEqual(['daylily.ignore']);

    const again = await create(stuck.customerId, stuck.body, { 'Idempotency-Key': stuck.key });
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ current_state: 'deleted', workset_id: stuck.worksetId });
  });

  it('a failed flip does not take daylily.ready from a workset a same-key request completed meanwhile', async () => {
    const customerId = await newCustomer();
    const key = `race-withdraw-${customerId}`;
    const body = { ...CURL_BODY, workset_name: 'race withdraw', samples: SAMPLES, s3_bucket: 'lab-data' };
    // Request A: its flip (the second transaction) fails; it then withdraws daylily.ready, held here.
    const removeFault = failCall(ddbClient(), isTransaction, { nth: 2 });
    const hold = holdCall(
      s3(),
      (c) => c.command === 'DeleteObjectsCommand' && (c.input.Delete?.Objects ?? []).some((o: { Key?: string }) => String(o.Key).endsWith('/daylily.ready')),
    );
    try {
      const first = create(customerId, body, { 'Idempotency-Key': key });
      await hold.held;
      // Request B, same key: resumes, writes daylily.ready, flips to ready.
      const second = await create(customerId, body, { 'Idempotency-Key': key });
      expect(second.status).toBe(201);
      expect(second.json.state).toBe('ready');
      hold.release();
      const answered = await first;

      const id = second.json.workset_id;
      expect(await record(id)).toMatchObject({ state: 'ready' });
      expect(await record(id)).not.toHaveProperty('sentinel_sync_pending');
      expect(await aws.getText(`${folderOf(id)}daylily.ready`)).toBeDefined();
      expect(await filesOf(id)).toHaveLength(5);
      // A answers what B answered: the key's one registration.
      expect(answered.status).toBe(201);
      expect(answered.text).toBe(second.text);
    } finally {
      hold.release();
      hold.remove();
      removeFault();
    }
  });

  it('a failed flip withdrawing daylily.ready after a same-key request wrote it fences that request\'s flip off: never ready without daylily.ready', async () => {
    const customerId = await newCustomer();
    const key = `race-fence-${customerId}`;
    const body = { ...CURL_BODY, workset_name: 'race fence', samples: SAMPLES, s3_bucket: 'lab-data' };
    const isFlip = (c: { command: string; input: any }) =>
      isTransaction(c) && (c.input.TransactItems ?? []).some((item: any) => item.Update?.ExpressionAttributeValues?.[':ready'] === 'ready');
    // Request A: its flip (the second transaction) fails; its withdrawal of daylily.ready is held.
    const removeFault = failCall(ddbClient(), isTransaction, { nth: 2 });
    const holdWithdraw = holdCall(
      s3(),
      (c) => c.command === 'DeleteObjectsCommand' && (c.input.Delete?.Objects ?? []).some((o: { Key?: string }) => String(o.Key).endsWith('/daylily.ready')),
    );
    let holdFlip: ReturnType<typeof holdCall> | undefined;
    try {
      const first = create(customerId, body, { 'Idempotency-Key': key });
      await holdWithdraw.held;
      // Request B, same key: resumes, writes its files and daylily.ready; its flip is held.
      holdFlip = holdCall(ddbClient(), isFlip);
      const second = create(customerId, body, { 'Idempotency-Key': key });
      await holdFlip.held;
      // A's withdrawal lands after B's daylily.ready, and A answers while the record is registering.
      holdWithdraw.release();
      const answeredA = await first;
      expect(answeredA.status).toBe(503);
      // Only then B's flip goes out.
      holdFlip.release();
      const answeredB = await second;

      const [stuck] = (await call('ListCustomerWorksets', { path: { customer_id: customerId } })).json.worksets;
      const id = stuck.workset_id as string;
      const readyFile = await aws.getText(`${folderOf(id)}daylily.ready`);
      // The invariant: ready in DynamoDB exactly when the monitor can find daylily.ready.
      expect({ state: (await record(id))?.state, readyFile: readyFile !== undefined }).toEqual({ state: 'registering', readyFile: false });
      // B's flip was fenced off: nothing advertised, and B asks for a retry with the same key.
      expect(answeredB.status).toBe(503);
      expect(answeredB.json.detail).toContain('same Idempotency-Key');
      expect(answeredB.json).not.toHaveProperty('ready_withdrawals');

      const retried = await create(customerId, body, { 'Idempotency-Key': key });
      expect(retried.status).toBe(201);
      expect(retried.json.workset_id).toBe(id);
      expect(retried.json).not.toHaveProperty('ready_withdrawals');
      expect(await record(id)).toMatchObject({ state: 'ready' });
      expect(await filesOf(id)).toHaveLength(5);
      const replay = await create(customerId, body, { 'Idempotency-Key': key });
      expect(replay.text).toBe(retried.text);
    } finally {
      holdWithdraw.release();
      holdWithdraw.remove();
      holdFlip?.release();
      holdFlip?.remove();
      removeFault();
    }
  });
});
