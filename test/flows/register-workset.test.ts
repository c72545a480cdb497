/** Registration on the in-memory stores: the folder protocol, failures and keyed retries. */
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONTROL_PREFIX } from '../../lambdas/lib/config/settings.ts';
import { ConflictError, InvalidInputError, NotConfiguredError, NotFoundError, OutcomeUnknownError, StorageUnavailableError, UnprocessableInputError, UpstreamError } from '../../lambdas/lib/errors.ts';
import { BUILT_IN_RUNS } from '../../lambdas/lib/domain/pipeline-catalogue.ts';
import { renderDyR } from '../../lambdas/lib/domain/pipeline-commands.ts';
import { registerWorkset } from '../../lambdas/lib/flows/registration/register-workset.ts';
import { CONTROL_BUCKET, failing, inMemory, lostReplies, registrationRequest, START } from '../support/in-memory.ts';

const SAMPLES = [
  { sample_id: 'S1', r1_file: 's3://lab-data/S1_R1.fastq.gz', r2_file: 's3://lab-data/S1_R2.fastq.gz' },
  { sample_id: 'S2', r1_file: 's3://lab-data/S2_R1.fastq.gz' },
];
const REGISTRATION_FILES = ['daylily.ready', 'daylily_info.yaml', 'daylily_work.yaml', 'sample_data/.keep', 'stage_samples.tsv'];

const folderOf = (worksetId: string) => `${DEFAULT_CONTROL_PREFIX}${worksetId}/`;
const command = (body: Record<string, unknown> = {}, idempotencyKey?: string) => ({
  customerId: 'lab-1',
  actor: 'lab-1',
  request: registrationRequest(body),
  ...(idempotencyKey ? { idempotencyKey } : {}),
});
const isReady = (input: { object?: { key: string } }) => input.object?.key.endsWith('/daylily.ready') === true;

describe('registering a workset', () => {
  it('writes the four registration files, then daylily.ready last, and answers the workset ready', async () => {
    const world = inMemory();
    const puts: string[] = [];
    world.bucket.fail = (operation, input: any) => void (operation === 'put' && puts.push(input.object.key.split('/').pop()));

    const { workset, replayed } = await registerWorkset(world.registration, command({ workset_name: 'Exome batch 7', samples: SAMPLES }));

    expect(replayed).toBe(false);
    // The answer's version is the stored record's: the ready flip is version 1.
    expect(workset).toMatchObject({ workset_id: 'exome-batch-7-00000001', state: 'ready', customer_id: 'lab-1', sample_count: 2, version: 1 });
    expect(workset.state_history.map((entry) => entry.to)).toEqual(['registering', 'ready']);
    expect(world.files(folderOf(workset.workset_id))).toEqual(REGISTRATION_FILES);
    expect(puts).toHaveLength(5);
    expect(puts.at(-1)).toBe('daylily.ready');
    expect(await world.record(workset.workset_id)).toMatchObject({ state: 'ready', version: 1, updated_at: START });
    expect((await world.worksets.queueStats()).queue_depth).toMatchObject({ registering: 0, ready: 1 });
  });

  it('without samples, writes only the two manifests before daylily.ready', async () => {
    const world = inMemory();
    const { workset } = await registerWorkset(world.registration, command());
    expect(world.files(folderOf(workset.workset_id))).toEqual(['daylily.ready', 'daylily_info.yaml', 'daylily_work.yaml']);
    expect(world.body(`${folderOf(workset.workset_id)}daylily.ready`)).toBe(START);
  });

  it('a failed S3 put answers UpstreamError and leaves no daylily.ready; without a key nothing stays behind', async () => {
    const world = inMemory();
    world.bucket.fail = failing((operation, input) => operation === 'put' && input.object.key.endsWith('/stage_samples.tsv'), {
      error: () => new StorageUnavailableError(),
    });

    const error = await registerWorkset(world.registration, command({ samples: SAMPLES })).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as Error).message).toMatch(/send an Idempotency-Key/);
    expect(world.bucket.keys(CONTROL_BUCKET)).toEqual([]);
    expect(await world.record('batch-00000001')).toBeUndefined();
    expect((await world.worksets.queueStats()).total_worksets).toBe(0);
  });

  it('a retry with the same key completes a registration whose daylily.ready put failed, and a third request replays it', async () => {
    const world = inMemory();
    world.bucket.fail = failing((operation, input) => operation === 'put' && isReady(input), { times: 1 });

    await expect(registerWorkset(world.registration, command({ samples: SAMPLES }, 'key-1'))).rejects.toBeInstanceOf(UpstreamError);
    expect(await world.record('batch-00000001')).toMatchObject({ state: 'registering' });
    expect(world.files(folderOf('batch-00000001'))).not.toContain('daylily.ready');

    world.advance(30);
    const retried = await registerWorkset(world.registration, command({ samples: SAMPLES }, 'key-1'));
    expect(retried.replayed).toBe(true);
    expect(retried.workset).toMatchObject({ workset_id: 'batch-00000001', state: 'ready' });
    expect(world.files(folderOf('batch-00000001'))).toEqual(REGISTRATION_FILES);

    const replay = await registerWorkset(world.registration, command({ samples: SAMPLES }, 'key-1'));
    expect(JSON.stringify(replay.workset)).toBe(JSON.stringify(retried.workset));
    expect((await world.worksets.queueStats()).queue_depth).toMatchObject({ registering: 0, ready: 1 });
  });

  it('a key reused with another body is a conflict naming the first workset', async () => {
    const world = inMemory();
    await registerWorkset(world.registration, command({}, 'key-1'));
    const error = await registerWorkset(world.registration, command({ priority: 'urgent' }, 'key-1')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).details).toEqual({ workset_id: 'batch-00000001' });
  });

  it('once a key’s window has passed, the same key registers a new workset', async () => {
    const world = inMemory();
    const first = await registerWorkset(world.registration, command({}, 'key-1'));
    world.advance(24 * 3600 + 1);
    const second = await registerWorkset(world.registration, command({}, 'key-1'));
    expect(second.replayed).toBe(false);
    expect(second.workset.workset_id).not.toBe(first.workset.workset_id);
  });

  it('an unknown customer is not found, and nothing is written', async () => {
    const world = inMemory();
    await expect(registerWorkset(world.registration, { ...command(), customerId: 'lab-nobody' })).rejects.toBeInstanceOf(NotFoundError);
    expect(world.bucket.keys(CONTROL_BUCKET)).toEqual([]);
  });

  it('a colliding workset id is drawn again', async () => {
    const world = inMemory();
    world.drawHex('aaaaaaaa', 'aaaaaaaa', 'bbbbbbbb');
    const first = await registerWorkset(world.registration, command());
    const second = await registerWorkset(world.registration, command());
    expect([first.workset.workset_id, second.workset.workset_id]).toEqual(['batch-aaaaaaaa', 'batch-bbbbbbbb']);
  });

  it('a failed ready flip without a key withdraws daylily.ready and discards the registration', async () => {
    const world = inMemory();
    world.worksets.fail = failing((operation) => operation === 'completeRegistration', { error: () => new StorageUnavailableError() });
    await expect(registerWorkset(world.registration, command({ samples: SAMPLES }))).rejects.toBeInstanceOf(UpstreamError);
    expect(world.bucket.keys(CONTROL_BUCKET)).toEqual([]);
    expect(await world.record('batch-00000001')).toBeUndefined();
    expect((await world.worksets.queueStats()).total_worksets).toBe(0);
  });

  it('refuses an export_uri inside the control bucket, and answers NotConfigured without one', async () => {
    const world = inMemory();
    await expect(registerWorkset(world.registration, command({ export_uri: `s3://${CONTROL_BUCKET}/elsewhere/` }))).rejects.toBeInstanceOf(InvalidInputError);
    const unconfigured = { ...world.registration, controlLocation: { ok: false as const, problem: 'No control bucket is configured.' } };
    await expect(registerWorkset(unconfigured, command())).rejects.toBeInstanceOf(NotConfiguredError);
    expect(await world.record('batch-00000001')).toBeUndefined();
  });
});

describe('a registration whose outcome it cannot know', () => {
  const unavailable = () => new StorageUnavailableError();
  const caught = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error);

  it.each([
    ['with an idempotency key', 'key-1'],
    ['without one', undefined],
  ])('%s, a flip whose reply was lost and whose record cannot be read back answers "outcome unknown" with the workset, never "nothing was queued"', async (_case, key) => {
    const world = inMemory();
    world.worksets.fail = failing((operation) => operation === 'completeRegistration' || operation === 'getWorkset', { error: unavailable });

    const error = await caught(registerWorkset(world.registration, command({ samples: SAMPLES }, key)));

    expect(error).toBeInstanceOf(OutcomeUnknownError);
    expect((error as OutcomeUnknownError).workset).toEqual({ customerId: 'lab-1', worksetId: 'batch-00000001' });
    expect((error as Error).message).toMatch(/outcome is unknown/);
    expect((error as Error).message).not.toMatch(/[Nn]othing was queued/);
    expect((error as Error).message.includes('same Idempotency-Key')).toBe(key !== undefined);
    // Nothing was touched on a guess: the record stays `registering` (the settle pass's flag), the folder whole.
    world.worksets.fail = undefined;
    expect(await world.record('batch-00000001')).toMatchObject({ state: 'registering' });
    expect(world.files(folderOf('batch-00000001'))).toEqual(REGISTRATION_FILES);
  });

  it('reads the record back a few times before giving up: a read that fails twice, then answers, is settled as usual', async () => {
    const world = inMemory();
    const flipFails = failing((operation) => operation === 'completeRegistration', { error: unavailable });
    const readFailsTwice = failing((operation) => operation === 'getWorkset', { times: 2, error: unavailable });
    world.worksets.fail = (operation, input) => flipFails(operation, input) ?? readFailsTwice(operation, input);

    const error = await caught(registerWorkset(world.registration, command({ samples: SAMPLES })));

    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).not.toBeInstanceOf(OutcomeUnknownError);
    expect((error as Error).message).toMatch(/Nothing was queued/);
    expect(world.bucket.keys(CONTROL_BUCKET)).toEqual([]);
    world.worksets.fail = undefined;
    expect(await world.record('batch-00000001')).toBeUndefined();
  });

  it('a keyless registration whose daylily.ready cannot be withdrawn keeps its record for the settle pass and does not say nothing was queued', async () => {
    const world = inMemory();
    world.worksets.fail = failing((operation) => operation === 'completeRegistration', { error: unavailable });
    world.bucket.fail = failing((operation) => operation === 'delete', { error: unavailable });

    const error = await caught(registerWorkset(world.registration, command({ samples: SAMPLES })));

    expect(error).toBeInstanceOf(OutcomeUnknownError);
    world.worksets.fail = undefined;
    expect(await world.record('batch-00000001')).toMatchObject({ state: 'registering' });
    expect(world.files(folderOf('batch-00000001'))).toContain('daylily.ready');
  });

  it('a put of daylily.ready that failed but landed is withdrawn (and fenced) when the key can complete it later', async () => {
    const world = inMemory();
    lostReplies(world.bucket, 'put', { matches: (_bucket, object) => isReady({ object }), error: unavailable });

    const error = await caught(registerWorkset(world.registration, command({ samples: SAMPLES }, 'key-1')));

    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as Error).message).toMatch(/same Idempotency-Key/);
    expect(world.files(folderOf('batch-00000001'))).not.toContain('daylily.ready');
    expect(await world.record('batch-00000001')).toMatchObject({ state: 'registering', ready_withdrawals: 1 });

    const retried = await registerWorkset(world.registration, command({ samples: SAMPLES }, 'key-1'));
    expect(retried.workset).toMatchObject({ workset_id: 'batch-00000001', state: 'ready' });
    expect(world.files(folderOf('batch-00000001'))).toEqual(REGISTRATION_FILES);
  });

  it('without a key, a put of daylily.ready that failed but landed is removed with everything else: then nothing was queued', async () => {
    const world = inMemory();
    lostReplies(world.bucket, 'put', { matches: (_bucket, object) => isReady({ object }), error: unavailable });

    const error = await caught(registerWorkset(world.registration, command({ samples: SAMPLES })));

    expect(error).not.toBeInstanceOf(OutcomeUnknownError);
    expect((error as Error).message).toMatch(/Nothing was queued/);
    expect(world.bucket.keys(CONTROL_BUCKET)).toEqual([]);
    expect(await world.record('batch-00000001')).toBeUndefined();
  });

  it('a first write that fails says nothing was queued and, with a key, to retry with it', async () => {
    const world = inMemory();
    world.worksets.fail = failing((operation) => operation === 'beginRegistration', { error: unavailable });
    const keyed = await caught(registerWorkset(world.registration, command({}, 'key-1')));
    const keyless = await caught(registerWorkset(world.registration, command()));
    expect((keyed as Error).message).toMatch(/nothing was queued\. Retry the request with the same Idempotency-Key/);
    expect((keyless as Error).message).toMatch(/nothing was queued\. Retry the request\.$/);
  });

  it('the record says whether its registration was keyed, and no answer shows it', async () => {
    const world = inMemory();
    const keyed = await registerWorkset(world.registration, command({}, 'key-1'));
    const keyless = await registerWorkset(world.registration, command());
    expect((await world.record(keyed.workset.workset_id))?.registration).toEqual({ idempotency_key: 'lab-1#key-1' });
    expect((await world.record(keyless.workset.workset_id))?.registration).toEqual({});
    expect(keyed.workset).not.toHaveProperty('registration');
    expect(JSON.stringify(keyed.workset)).not.toContain('key-1');
  });
});

describe('registering against the pipeline catalogue', () => {
  const workYaml = (world: ReturnType<typeof inMemory>, worksetId: string) => load(world.body(`${folderOf(worksetId)}daylily_work.yaml`)!) as Record<string, string>;

  it.each(BUILT_IN_RUNS.pipelines.map((pipeline) => [pipeline.id, pipeline] as const))(
    "a %s workset's daylily_work.yaml runs the catalogue's dy-r, clones its tag and names its build",
    async (id, pipeline) => {
      const world = inMemory();
      const { workset } = await registerWorkset(world.registration, command({ pipeline_type: id, reference_genome: 'b37', samples: SAMPLES }));
      expect(workset).toMatchObject({ pipeline_type: id, reference_genome: 'b37', genome_build: 'b37' });
      expect(workYaml(world, workset.workset_id)).toMatchObject({
        'dy-r': renderDyR(pipeline.dy_r),
        'day-clone': `-d ${workset.workset_id} -t ${pipeline.day_clone.tag}`,
        genome_build: 'b37',
      });
    },
  );

  it('records the pipeline as resolved (an alias is the catalogue id) and keeps what was sent in daylily_info.yaml', async () => {
    const world = inMemory();
    const { workset } = await registerWorkset(world.registration, command({ pipeline_type: 'wgs', reference_genome: 'GRCh38' }));
    expect(await world.record(workset.workset_id)).toMatchObject({ pipeline_type: 'germline_wgs_kitchensink', reference_genome: 'GRCh38', genome_build: 'hg38' });
    const info = load(world.body(`${folderOf(workset.workset_id)}daylily_info.yaml`)!) as Record<string, unknown>;
    expect(info).toMatchObject({ pipeline_type: 'germline_wgs_kitchensink', requested_pipeline_type: 'wgs', pipeline_catalogue_version: BUILT_IN_RUNS.version, genome_build: 'hg38' });
  });

  it('reads samples_tsv like samples: the 20-column stage_samples.tsv template, its RUN_ID replaced by the workset id', async () => {
    const header = 'RUN_ID\tSAMPLE_ID\tEXPERIMENTID\tSAMPLE_TYPE\tLIB_PREP\tSEQ_VENDOR\tSEQ_PLATFORM\tLANE\tSEQBC_ID\tPATH_TO_CONCORDANCE_DATA_DIR\tR1_FQ\tR2_FQ\tSTAGE_DIRECTIVE\tSTAGE_TARGET\tSUBSAMPLE_PCT\tIS_POS_CTRL\tIS_NEG_CTRL\tN_X\tN_Y\tEXTERNAL_SAMPLE_ID';
    const row = 'old-run\tNA12878\tEXP7\tWGS\tPCR-FREE\tILLUMINA\tNOVASEQX\t2\tBC1\t/fsx/concordance\tNA12878_R1.fq.gz\tNA12878_R2.fq.gz\tstage_data\t/fsx/staged\t50\tTRUE\tfalse\t1\t2\tEXT-1';
    const world = inMemory();
    const { workset } = await registerWorkset(world.registration, command({ s3_bucket: 'lab-data', s3_prefix: 'runs/7', samples_tsv: `${header}\n${row}\n` }));
    const tsv = world.body(`${folderOf(workset.workset_id)}stage_samples.tsv`)!;
    const [written, cells] = tsv.split('\n').map((line) => line.split('\t'));
    expect(written!.join('\t')).toBe(header);
    expect(cells).toEqual([workset.workset_id, ...row.split('\t').slice(1, 10), 's3://lab-data/runs/7/NA12878_R1.fq.gz', 's3://lab-data/runs/7/NA12878_R2.fq.gz', ...row.split('\t').slice(12)]);
  });

  it('reads a minimal CSV sheet (sample_id, r1, r2) with the defaults of samples', async () => {
    const world = inMemory();
    const sheet = 'sample_id,r1,r2\nS1,s3://lab-data/S1_R1.fq.gz,s3://lab-data/S1_R2.fq.gz\n"S2",s3://lab-data/S2_R1.fq.gz,\n';
    const fromSheet = await registerWorkset(world.registration, command({ workset_name: 'sheet', samples_tsv: sheet }));
    const fromList = await registerWorkset(
      world.registration,
      command({ workset_name: 'sheet', samples: [{ sample_id: 'S1', r1: 's3://lab-data/S1_R1.fq.gz', r2: 's3://lab-data/S1_R2.fq.gz' }, { sample_id: 'S2', r1: 's3://lab-data/S2_R1.fq.gz' }] }),
    );
    const tsvOf = (id: string) => world.body(`${folderOf(id)}stage_samples.tsv`)!.replaceAll(id, 'RUN');
    expect(fromSheet.workset.sample_count).toBe(2);
    expect(tsvOf(fromSheet.workset.workset_id)).toBe(tsvOf(fromList.workset.workset_id));
  });

  it('refuses before writing anything: an unknown pipeline is a 422 listing the allowed ones', () => {
    expect(() => registrationRequest({ pipeline_type: 'rnaseq' })).toThrow(UnprocessableInputError);
    expect(() => registrationRequest({ pipeline_type: 'rnaseq' })).toThrow(/pipeline_type is not a pipeline of catalogue 1; one of: test_help/);
  });

  it('is the same request for an idempotent retry after the operator changed the catalogue entry', async () => {
    const world = inMemory();
    const changed = { ...BUILT_IN_RUNS, pipelines: BUILT_IN_RUNS.pipelines.map((pipeline) => ({ ...pipeline, day_clone: { tag: 'v2' } })) };
    const first = await registerWorkset(world.registration, command({}, 'catalogue-key'));
    const again = await registerWorkset(world.registration, { ...command({}, 'catalogue-key'), request: registrationRequest({}, changed) });
    expect(again).toEqual({ workset: first.workset, replayed: true });
  });
});
