/** Sample sheets beyond the request limit, on the in-memory stores: the upload form, and registration and preview of a staged sheet. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONTROL_PREFIX } from '../../lambdas/lib/config/settings.ts';
import { builtInCatalogue, BUILT_IN_RUNS } from '../../lambdas/lib/domain/pipeline-catalogue.ts';
import { MAX_UPLOADED_SAMPLES, UPLOAD_EXPIRY_SECONDS, UPLOAD_PREFIX } from '../../lambdas/lib/domain/sheet-upload.ts';
import { ConflictError, InvalidInputError, NotConfiguredError, UnprocessableInputError } from '../../lambdas/lib/errors.ts';
import { previewRequest } from '../../lambdas/lib/flows/registration/registration-preview.ts';
import { registerRequest, UNKNOWN_UPLOAD } from '../../lambdas/lib/flows/registration/staged-sheet.ts';
import { createSheetUpload } from '../../lambdas/lib/flows/sheet-uploads.ts';
import { parseOrThrow } from '../../lambdas/lib/schemas/parse.ts';
import { CreateWorksetRequest } from '../../lambdas/lib/schemas/registration-requests.ts';
import { CreateUploadRequest } from '../../lambdas/lib/schemas/upload-requests.ts';
import { CONTROL_BUCKET, failing, inMemory, START, type InMemoryWorld } from '../support/in-memory.ts';

const SHEET = 'sample_id\tr1\tr2\nS1\ts3://lab-data/S1_R1.fq.gz\ts3://lab-data/S1_R2.fq.gz\nS2\ts3://lab-data/S2_R1.fq.gz\ts3://lab-data/S2_R2.fq.gz\n';
const body = (overrides: Record<string, unknown> = {}) =>
  parseOrThrow(CreateWorksetRequest, { workset_name: 'big batch', pipeline_type: 'snv', reference_genome: 'GRCh38', samples_upload_id: 'upload-1', ...overrides }, 'request body');
const register = (world: InMemoryWorld, overrides: Record<string, unknown> = {}, options: { customerId?: string; idempotencyKey?: string } = {}) =>
  registerRequest(world.registration, {
    customerId: options.customerId ?? 'lab-1',
    body: body(overrides),
    catalogue: BUILT_IN_RUNS,
    actor: 'lab-1',
    ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
  });

async function refusal(promise: Promise<unknown>): Promise<InvalidInputError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InvalidInputError);
  return error as InvalidInputError;
}

describe('the upload form', () => {
  it('is signed for the customer’s own key under the upload prefix, with the cap, the type and the expiry, and answers when it expires', async () => {
    const world = inMemory();
    const upload = await createSheetUpload(world.uploads, { customerId: 'lab-1', request: parseOrThrow(CreateUploadRequest, { size_bytes: 1_000, content_type: 'text/csv' }, 'request body') });

    expect(upload).toEqual({
      upload_id: 'upload-1',
      url: `https://memory.invalid/${CONTROL_BUCKET}`,
      fields: { key: `${UPLOAD_PREFIX}lab-1/upload-1`, 'Content-Type': 'text/csv', policy: 'memory' },
      max_bytes: world.registration.uploads.ok ? world.registration.uploads.maxBytes : 0,
      expires_at: new Date(Date.parse(START) + UPLOAD_EXPIRY_SECONDS * 1000).toISOString(),
    });
    expect(world.forms.signed).toEqual([{ bucket: CONTROL_BUCKET, key: `${UPLOAD_PREFIX}lab-1/upload-1`, maxBytes: upload.max_bytes, contentType: 'text/csv', expiresSeconds: UPLOAD_EXPIRY_SECONDS }]);
    // Nothing is staged until the client posts the form.
    expect(world.stagedKeys()).toEqual([]);
  });

  it('refuses a size over the cap with a 422 naming size_bytes, and signs nothing', async () => {
    const world = inMemory();
    const uploads = { ...world.uploads, uploads: { ...(world.registration.uploads as Extract<typeof world.registration.uploads, { ok: true }>), maxBytes: 100 } };
    const error = await refusal(createSheetUpload(uploads, { customerId: 'lab-1', request: parseOrThrow(CreateUploadRequest, { size_bytes: 101 }, 'request body') }));
    expect(error).toBeInstanceOf(UnprocessableInputError);
    expect(error.errors).toEqual([{ field: 'size_bytes', message: 'must be at most 100' }]);
    expect(world.forms.signed).toEqual([]);
  });

  it('is a 503 naming the fix when uploads are not configured', async () => {
    const world = inMemory();
    const unconfigured = { ...world.uploads, uploads: { ok: false as const, problem: 'No control bucket is configured.' } };
    await expect(createSheetUpload(unconfigured, { customerId: 'lab-1', request: parseOrThrow(CreateUploadRequest, {}, 'request body') })).rejects.toThrow(NotConfiguredError);
  });
});

describe('registering a staged sheet', () => {
  it('reads the samples from the customer’s staged sheet, writes them to stage_samples.tsv and removes the staged sheet', async () => {
    const world = inMemory();
    world.stageSheet('lab-1', 'upload-1', SHEET);

    const { workset, replayed } = await register(world);

    expect(replayed).toBe(false);
    expect(workset).toMatchObject({ state: 'ready', sample_count: 2 });
    const tsv = world.body(`${DEFAULT_CONTROL_PREFIX}${workset.workset_id}/stage_samples.tsv`)!;
    expect(tsv.split('\n').filter((line) => line.includes('s3://lab-data/S1_R1.fq.gz'))).toHaveLength(1);
    expect(tsv).toContain('s3://lab-data/S2_R2.fq.gz');
    expect(world.stagedKeys()).toEqual([]);
  });

  it('answers 422 naming samples_upload_id for another customer’s upload id, whose sheet stays for its own customer', async () => {
    const world = inMemory();
    world.stageSheet('lab-2', 'upload-1', SHEET);

    const error = await refusal(register(world, {}, { customerId: 'lab-1' }));
    expect(error).toBeInstanceOf(UnprocessableInputError);
    expect(error.errors).toEqual([{ field: 'samples_upload_id', message: UNKNOWN_UPLOAD }]);
    expect(world.stagedKeys()).toEqual([`${UPLOAD_PREFIX}lab-2/upload-1`]);
    // The id names lab-2's sheet for lab-2 only.
    await expect(register(world, {}, { customerId: 'lab-2' })).resolves.toMatchObject({ workset: { customer_id: 'lab-2', sample_count: 2 } });
  });

  it('refuses samples_upload_id next to another samples source with a 422 naming both, reading nothing', async () => {
    const world = inMemory();
    world.stageSheet('lab-1', 'upload-1', SHEET);
    world.stagedSheets.fail = failing(() => true);

    const error = await refusal(register(world, { samples_tsv: SHEET }));
    expect(error).toBeInstanceOf(UnprocessableInputError);
    expect(error.errors).toEqual([
      { field: 'samples_tsv', message: 'give only one of samples_tsv, samples_upload_id' },
      { field: 'samples_upload_id', message: 'give only one of samples_tsv, samples_upload_id' },
    ]);
    expect(world.stagedKeys()).toHaveLength(1);
  });

  it('names the staged sheet’s bad rows by line, as a 422, and leaves the sheet (a corrected sheet is a new upload)', async () => {
    const world = inMemory();
    world.stageSheet('lab-1', 'upload-1', 'sample_id\tr1\tr2\nS1\ts3://lab-data/S1_R1.fq.gz\t\nS1\tS1b_R1.fq.gz\t\n\tx\ty\n');

    const error = await refusal(register(world));
    expect(error).toBeInstanceOf(UnprocessableInputError);
    expect(error.errors).toEqual([
      { field: 'samples_upload_id[line 4].sample_id', message: 'is required (as sample_id, id or name)' },
      { field: 'samples_upload_id[line 3].sample_id', message: 'duplicates samples_upload_id[line 2].sample_id' },
      { field: 'samples_upload_id[line 3].r1_file', message: expect.stringMatching(/s3_bucket/) },
    ]);
    expect(world.stagedKeys()).toHaveLength(1);
  });

  it('refuses a staged sheet over the cap (which S3’s form would have refused) naming samples_upload_id', async () => {
    const world = inMemory();
    world.stageSheet('lab-1', 'upload-1', SHEET);
    const capped = { ...world.registration, uploads: { ...(world.registration.uploads as Extract<typeof world.registration.uploads, { ok: true }>), maxBytes: 10 } };
    const error = await refusal(registerRequest(capped, { customerId: 'lab-1', body: body(), catalogue: BUILT_IN_RUNS, actor: 'lab-1' }));
    expect(error.errors).toEqual([{ field: 'samples_upload_id', message: 'is a staged sheet of more than the 10 bytes an upload may hold' }]);
  });

  it(`allows up to ${MAX_UPLOADED_SAMPLES} samples in a staged sheet, and no more`, async () => {
    const world = inMemory();
    const rows = Array.from({ length: MAX_UPLOADED_SAMPLES + 1 }, (_, index) => `S${index}\ts3://lab-data/S${index}_R1.fq.gz`);
    world.stageSheet('lab-1', 'upload-1', `sample_id\tr1\n${rows.join('\n')}\n`);
    const error = await refusal(register(world));
    expect(error.errors).toEqual([{ field: 'samples_upload_id', message: `must have at most ${MAX_UPLOADED_SAMPLES} samples` }]);
  });

  it('still registers when the staged sheet cannot be removed (the lifecycle rule expires it)', async () => {
    const world = inMemory();
    world.stageSheet('lab-1', 'upload-1', SHEET);
    world.bucket.fail = failing((operation, input) => operation === 'delete' && input.keys.some((key: string) => key.startsWith(UPLOAD_PREFIX)));

    const { workset } = await register(world);
    expect(workset.state).toBe('ready');
    expect(world.stagedKeys()).toEqual([`${UPLOAD_PREFIX}lab-1/upload-1`]);
  });

  it('replays the first answer to a retry with the same Idempotency-Key after the staged sheet is gone', async () => {
    const world = inMemory();
    world.stageSheet('lab-1', 'upload-1', SHEET);
    const first = await register(world, {}, { idempotencyKey: 'key-1' });
    expect(world.stagedKeys()).toEqual([]);

    const retry = await register(world, {}, { idempotencyKey: 'key-1' });
    expect(retry).toEqual({ workset: first.workset, replayed: true });

    // The same key with another body is the conflict registration answers; a new key names no sheet.
    await expect(register(world, { priority: 'urgent' }, { idempotencyKey: 'key-1' })).rejects.toThrow(ConflictError);
    const fresh = await refusal(register(world, {}, { idempotencyKey: 'key-2' }));
    expect(fresh.errors).toEqual([{ field: 'samples_upload_id', message: UNKNOWN_UPLOAD }]);
  });
});

describe('previewing a staged sheet', () => {
  const previewDeps = (world: InMemoryWorld) => ({
    stagedSheets: world.stagedSheets,
    uploads: world.registration.uploads,
    catalogue: builtInCatalogue(),
    controlLocation: world.registration.controlLocation,
    now: world.registration.now,
    randomHex: () => '0a1b2c3d',
  });

  it('renders the files registration writes for the sheet, and leaves the staged sheet for registration', async () => {
    const world = inMemory();
    world.stageSheet('lab-1', 'upload-1', SHEET);
    const previewed = await previewRequest(previewDeps(world), { customerId: 'lab-1', body: body(), actor: 'lab-1' });

    expect(previewed).toMatchObject({ valid: true, registration_status: 201, problems: [] });
    expect(previewed.omitted_files).toBeUndefined();
    world.drawHex('0a1b2c3d');
    const { workset } = await register(world);
    expect(previewed.files!['stage_samples.tsv']).toBe(world.body(`${DEFAULT_CONTROL_PREFIX}${workset.workset_id}/stage_samples.tsv`));
  });

  it('lists an unknown upload id as registration’s 422 problem', async () => {
    const world = inMemory();
    const previewed = await previewRequest(previewDeps(world), { customerId: 'lab-1', body: body(), actor: 'lab-1' });
    expect(previewed).toMatchObject({ valid: false, registration_status: 422, problems: [{ field: 'samples_upload_id', message: UNKNOWN_UPLOAD }], files: null });
  });

  it('names a stage_samples.tsv too large for an answer in omitted_files instead of showing it', async () => {
    const world = inMemory();
    const rows = Array.from({ length: 30_000 }, (_, index) => `S${index}\ts3://lab-data/runs/2026-03/plate-${index % 96}/S${index}_L001_R1_001.fastq.gz\ts3://lab-data/runs/2026-03/plate-${index % 96}/S${index}_L001_R2_001.fastq.gz`);
    world.stageSheet('lab-1', 'upload-1', `sample_id\tr1\tr2\n${rows.join('\n')}\n`);
    const previewed = await previewRequest(previewDeps(world), { customerId: 'lab-1', body: body(), actor: 'lab-1' });
    expect(previewed).toMatchObject({ valid: true, omitted_files: ['stage_samples.tsv'] });
    expect(Object.keys(previewed.files!)).toEqual(['daylily_work.yaml', 'daylily_info.yaml']);
  });
});
