/**
 * Sample sheets beyond the request limit on the emulators: the presigned form posted to s3rver as
 * a browser would, then registration and preview by `samples_upload_id`, under the IAM guard.
 *
 * s3rver stores a form POST but checks neither its signature nor its policy (its POST handler
 * ignores `policy`): the policy's conditions are asserted here by decoding the signed policy, and
 * an oversize sheet that S3 itself would refuse is stored by s3rver, so registration's own cap is
 * what refuses it below.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { UPLOAD_PREFIX } from '../../lambdas/lib/domain/sheet-upload.ts';
import { call, machineClient } from '../support/api.ts';
import { useLocalAws } from '../support/local-aws.ts';

// A cap this file's sheets can exceed without moving hundreds of MiB; read at the handlers' first call.
const MAX_BYTES = 12 * 1024 * 1024;
process.env.DAYLILY_UPLOAD_MAX_BYTES = String(MAX_BYTES);
const aws = useLocalAws('sheet-uploads');

const BODY = { workset_name: 'cohort', pipeline_type: 'snv', reference_genome: 'GRCh38' };

let customers = 0;
async function newCustomer(attributes: Record<string, unknown> = {}): Promise<string> {
  const id = `lab-${(customers += 1)}-${Date.now().toString(36)}`;
  await aws.seedCustomer(id, { data_locations: ['s3://lab-data/'], ...attributes });
  return id;
}

interface Upload {
  readonly upload_id: string;
  readonly url: string;
  readonly fields: Record<string, string>;
  readonly max_bytes: number;
  readonly expires_at: string;
}

async function newUpload(customerId: string, body: unknown = {}): Promise<Upload> {
  const response = await call('CreateUpload', { path: { customer_id: customerId }, body });
  expect(response.status, response.text).toBe(201);
  return response.json as Upload;
}

/** The client's side of the contract: every field as given, then the sheet as `file`, last. */
async function post(upload: Upload, sheet: string | Uint8Array): Promise<number> {
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  form.append('file', new Blob([sheet]), 'samples.tsv');
  const response = await fetch(upload.url, { method: 'POST', body: form });
  await response.arrayBuffer();
  return response.status;
}

const register = (customerId: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  call('CreateWorkset', { path: { customer_id: customerId }, body: { ...BODY, ...body }, headers });

const stagedKey = (customerId: string, uploadId: string) => `${UPLOAD_PREFIX}${customerId}/${uploadId}`;

const SHEET = 'sample_id\tr1\tr2\nS1\ts3://lab-data/S1_R1.fq.gz\ts3://lab-data/S1_R2.fq.gz\n';

describe('the upload form', () => {
  it('is a form for the local S3 endpoint whose signed policy pins the key, the type, the size range and a 15-minute expiry', async () => {
    const customerId = await newCustomer();
    const before = Date.now();
    const upload = await newUpload(customerId, { size_bytes: 1000, content_type: 'text/csv' });

    expect(upload.upload_id).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(upload.url).toBe(`${aws.env.AWS_ENDPOINT_URL_S3}/${aws.bucket}`);
    expect(upload.max_bytes).toBe(MAX_BYTES);
    expect(upload.fields).toMatchObject({ key: stagedKey(customerId, upload.upload_id), 'Content-Type': 'text/csv', 'X-Amz-Algorithm': 'AWS4-HMAC-SHA256' });
    const policy = JSON.parse(Buffer.from(upload.fields.Policy!, 'base64').toString('utf8')) as { expiration: string; conditions: unknown[] };
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        ['content-length-range', 1, MAX_BYTES],
        ['eq', '$Content-Type', 'text/csv'],
        { key: stagedKey(customerId, upload.upload_id) },
        { bucket: aws.bucket },
      ]),
    );
    const lifetime = Date.parse(policy.expiration) - before;
    expect(lifetime).toBeGreaterThan(14 * 60 * 1000);
    expect(lifetime).toBeLessThanOrEqual(15 * 60 * 1000 + 5000);
    // The answer's clock and the presigner's are read a moment apart.
    expect(Math.abs(Date.parse(upload.expires_at) - Date.parse(policy.expiration))).toBeLessThan(2000);
  });

  it('is given to the customer’s machine client too, and refused for a size over the cap with a 422 naming size_bytes', async () => {
    const customerId = await newCustomer({ machine_clients: ['lims-1'] });
    // The client item the customers store writes beside a customer (seeded here as it would).
    await aws.ddb.send(new PutCommand({ TableName: aws.tables.customers, Item: { customer_id: 'client#lims-1', client_of: customerId } }));
    const machine = await call('CreateUpload', { path: { customer_id: customerId }, body: {}, principal: machineClient('lims-1') });
    expect(machine.status, machine.text).toBe(201);

    const oversize = await call('CreateUpload', { path: { customer_id: customerId }, body: { size_bytes: MAX_BYTES + 1 } });
    expect(oversize.status).toBe(422);
    expect(oversize.json.errors).toEqual([{ field: 'size_bytes', message: `must be at most ${MAX_BYTES}` }]);
  });
});

describe('registering an uploaded sheet', () => {
  it('registers 50,000 samples through an upload, keeps the record under 8 KB and removes the staged sheet', { timeout: 60_000 }, async () => {
    const customerId = await newCustomer({ max_samples_per_workset: 100_000 });
    const rows = Array.from({ length: 50_000 }, (_, index) => {
      const sample = `NA${String(index).padStart(6, '0')}`;
      const run = `s3://lab-data/runs/2026-03-01_NovaSeqX_run${index % 8}/plate-${String(index % 96).padStart(2, '0')}`;
      return `${sample}\t${run}/${sample}_S${index % 384}_L001_R1_001.fastq.gz\t${run}/${sample}_S${index % 384}_L001_R2_001.fastq.gz`;
    });
    const sheet = `sample_id\tr1\tr2\n${rows.join('\n')}\n`;
    // Beyond what one request may carry (API Gateway and Lambda: 6 MB).
    expect(Buffer.byteLength(sheet)).toBeGreaterThan(6 * 1024 * 1024);

    const upload = await newUpload(customerId, { size_bytes: Buffer.byteLength(sheet) });
    expect(await post(upload, sheet)).toBe(204);
    expect(await aws.getText(stagedKey(customerId, upload.upload_id))).toBe(sheet);

    const response = await register(customerId, { samples_upload_id: upload.upload_id });
    expect(response.status, response.text.slice(0, 500)).toBe(201);
    expect(response.json).toMatchObject({ state: 'ready', sample_count: 50_000, customer_id: customerId });

    const { Item } = await aws.ddb.send(new GetCommand({ TableName: aws.tables.worksets, Key: { workset_id: response.json.workset_id }, ConsistentRead: true }));
    // DynamoDB sizes an item by its attribute names and values; its JSON is larger still.
    expect(Buffer.byteLength(JSON.stringify(Item))).toBeLessThan(8 * 1024);

    const tsv = (await aws.getText(`${aws.controlPrefix}${response.json.workset_id}/stage_samples.tsv`))!;
    const lines = tsv.trimEnd().split('\n');
    expect(lines).toHaveLength(50_001);
    expect(lines[50_000]).toContain('NA049999_S79_L001_R2_001.fastq.gz');
    expect(await aws.listKeys(UPLOAD_PREFIX)).not.toContain(stagedKey(customerId, upload.upload_id));
  });

  it('answers a retry with the same Idempotency-Key like the first time after the staged sheet is gone', async () => {
    const customerId = await newCustomer();
    const upload = await newUpload(customerId);
    expect(await post(upload, SHEET)).toBe(204);

    const first = await register(customerId, { samples_upload_id: upload.upload_id }, { 'Idempotency-Key': 'sheet-1' });
    expect(first.status).toBe(201);
    expect(await aws.getText(stagedKey(customerId, upload.upload_id))).toBeUndefined();

    const retry = await register(customerId, { samples_upload_id: upload.upload_id }, { 'Idempotency-Key': 'sheet-1' });
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.text).toBe(first.text);
  });

  it('answers 422 naming samples_upload_id for an unknown id and for another customer’s upload', async () => {
    const owner = await newCustomer();
    const other = await newCustomer();
    const upload = await newUpload(owner);
    expect(await post(upload, SHEET)).toBe(204);

    for (const [customerId, uploadId] of [[owner, 'no-such-upload'], [other, upload.upload_id]] as const) {
      const response = await register(customerId, { samples_upload_id: uploadId });
      expect(response.status).toBe(422);
      expect(response.json.errors).toEqual([{ field: 'samples_upload_id', message: expect.stringMatching(/^names no staged sheet of this customer/) }]);
    }
    // The owner's sheet is untouched by the other customer's attempt.
    expect(await aws.getText(stagedKey(owner, upload.upload_id))).toBe(SHEET);
  });

  it('refuses an upload id next to another samples source, naming both', async () => {
    const customerId = await newCustomer();
    const response = await register(customerId, { samples_upload_id: 'any-upload', samples: [{ sample_id: 'S1', r1_file: 's3://lab-data/S1.fq.gz' }] });
    expect(response.status).toBe(422);
    expect(response.json.errors.map((error: { field: string }) => error.field)).toEqual(['samples', 'samples_upload_id']);
  });

  it('refuses a malformed upload id as a 400 naming it', async () => {
    const customerId = await newCustomer();
    const response = await register(customerId, { samples_upload_id: '../lab-2/abc' });
    expect(response.status).toBe(400);
    expect(response.json.errors[0].field).toBe('samples_upload_id');
  });

  it('names the staged sheet’s bad rows by line number', async () => {
    const customerId = await newCustomer();
    const upload = await newUpload(customerId);
    expect(await post(upload, 'sample_id,r1,r2\nS1,s3://lab-data/S1_R1.fq.gz,\nS2,/fsx/S2_R1.fq.gz,\nS1,s3://lab-data/S1b.fq.gz,\n')).toBe(204);

    const response = await register(customerId, { samples_upload_id: upload.upload_id });
    expect(response.status).toBe(422);
    expect(response.json.errors).toEqual([
      { field: 'samples_upload_id[line 3].r1_file', message: expect.any(String) },
      { field: 'samples_upload_id[line 4].sample_id', message: 'duplicates samples_upload_id[line 2].sample_id' },
    ]);
    // Refused: the sheet stays (the lifecycle rule expires it).
    expect(await aws.getText(stagedKey(customerId, upload.upload_id))).toBeDefined();
  });

  it('names a staged sheet’s row outside the customer’s data locations by its line', async () => {
    const customerId = await newCustomer();
    const upload = await newUpload(customerId);
    expect(await post(upload, `${SHEET}S2\ts3://elsewhere/S2_R1.fq.gz\t\n`)).toBe(204);

    const response = await register(customerId, { samples_upload_id: upload.upload_id });
    expect(response.status).toBe(422);
    expect(response.json.errors).toEqual([{ field: 'samples_upload_id[line 3].r1_file', message: 'is outside data_locations' }]);
  });

  it('refuses a staged sheet over the cap, which s3rver stored although the form’s policy forbids it', { timeout: 30_000 }, async () => {
    const customerId = await newCustomer();
    const upload = await newUpload(customerId);
    const oversize = `sample_id\tr1\n${'S\ts3://lab-data/x.fq.gz\n'.repeat(Math.ceil(MAX_BYTES / 24) + 10)}`;
    expect(Buffer.byteLength(oversize)).toBeGreaterThan(MAX_BYTES);
    expect(await post(upload, oversize)).toBe(204);

    const response = await register(customerId, { samples_upload_id: upload.upload_id });
    expect(response.status).toBe(422);
    expect(response.json.errors).toEqual([{ field: 'samples_upload_id', message: `is a staged sheet of more than the ${MAX_BYTES} bytes an upload may hold` }]);
  });
});

describe('previewing an uploaded sheet', () => {
  it('renders the sheet’s stage_samples.tsv, leaves the staged sheet, and lists an unknown id as registration’s 422', async () => {
    const customerId = await newCustomer();
    const upload = await newUpload(customerId);
    expect(await post(upload, SHEET)).toBe(204);

    const preview = await call('PreviewWorkset', { path: { customer_id: customerId }, body: { ...BODY, samples_upload_id: upload.upload_id } });
    expect(preview.status).toBe(200);
    expect(preview.json).toMatchObject({ valid: true, registration_status: 201 });
    expect(preview.json.files['stage_samples.tsv']).toContain('s3://lab-data/S1_R2.fq.gz');
    expect(await aws.getText(stagedKey(customerId, upload.upload_id))).toBe(SHEET);

    const unknown = await call('PreviewWorkset', { path: { customer_id: customerId }, body: { ...BODY, samples_upload_id: 'no-such-upload' } });
    expect(unknown.json).toMatchObject({ valid: false, registration_status: 422, problems: [{ field: 'samples_upload_id' }] });
  });
});
