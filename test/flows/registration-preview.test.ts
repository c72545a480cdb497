/** The registration dry run on the in-memory stores: registration's files, or registration's problems, writing nothing. */
import { describe, expect, it } from 'vitest';
import { builtInCatalogue } from '../../lambdas/lib/domain/pipeline-catalogue.ts';
import { NotConfiguredError, UnprocessableInputError } from '../../lambdas/lib/errors.ts';
import { previewWorkset } from '../../lambdas/lib/flows/registration/registration-preview.ts';
import { registerWorkset } from '../../lambdas/lib/flows/registration/register-workset.ts';
import { parseOrThrow } from '../../lambdas/lib/schemas/parse.ts';
import { CreateWorksetRequest } from '../../lambdas/lib/schemas/registration-requests.ts';
import { CONTROL_BUCKET, inMemory, registrationRequest } from '../support/in-memory.ts';

const BODY = {
  workset_name: 'Trio 7',
  pipeline_type: 'sv',
  reference_genome: 'GRCh37',
  priority: 'low',
  s3_bucket: 'lab-data',
  s3_prefix: 'runs/7',
  notification_email: 'pi@example.org',
  samples: [
    { sample_id: 'NA12878', r1: 'NA12878_R1.fq.gz', r2: 'NA12878_R2.fq.gz', lane: 2 },
    { sample_id: 'NA12891', r1_file: 's3://lab-data/other/NA12891_R1.fq.gz' },
  ],
};
const body = (overrides: Record<string, unknown> = {}) => parseOrThrow(CreateWorksetRequest, { ...BODY, ...overrides }, 'request body');

function worldWithPreview() {
  const world = inMemory();
  const preview = { stagedSheets: world.stagedSheets, uploads: world.registration.uploads, catalogue: builtInCatalogue(), controlLocation: world.registration.controlLocation, now: world.registration.now, randomHex: () => '0a1b2c3d' };
  return { world, preview };
}

describe('previewing a registration', () => {
  it('renders byte for byte the files registration writes for the same request, id and time, and writes nothing', async () => {
    const { world, preview } = worldWithPreview();
    const previewed = previewWorkset(preview, { customerId: 'lab-1', body: body(), actor: 'lab-1' });
    expect(world.bucket.keys(CONTROL_BUCKET)).toEqual([]);
    expect(previewed).toMatchObject({ valid: true, registration_status: 201, problems: [], workset_id: 'trio-7-0a1b2c3d', pipeline_type: 'germline_wgs_snv_sv', genome_build: 'b37' });

    world.drawHex('0a1b2c3d');
    const { workset } = await registerWorkset(world.registration, { customerId: 'lab-1', actor: 'lab-1', request: registrationRequest(BODY) });
    expect(workset.workset_id).toBe(previewed.workset_id);
    expect(previewed.control_folder).toBe(workset.control_folder);
    const folder = workset.control_folder.replace(`s3://${CONTROL_BUCKET}/`, '');
    for (const [name, text] of Object.entries(previewed.files!)) expect(text, name).toBe(world.body(`${folder}${name}`));
    expect(Object.keys(previewed.files!)).toEqual(['daylily_work.yaml', 'daylily_info.yaml', 'stage_samples.tsv']);
  });

  it("lists registration's problems, with its status, and no files", () => {
    const { preview } = worldWithPreview();
    const invalid = body({ pipeline_type: 'rnaseq', samples: [{ sample_id: 'S1', r1_file: '/fsx/S1.fq' }] });
    const previewed = previewWorkset(preview, { customerId: 'lab-1', body: invalid, actor: 'lab-1' });
    let refusal: UnprocessableInputError | undefined;
    try {
      registrationRequest({ ...BODY, pipeline_type: 'rnaseq', samples: [{ sample_id: 'S1', r1_file: '/fsx/S1.fq' }] });
    } catch (error) {
      refusal = error as UnprocessableInputError;
    }
    expect(refusal).toBeInstanceOf(UnprocessableInputError);
    expect(previewed).toMatchObject({ valid: false, registration_status: 422, files: null, workset_id: null, control_folder: null, estimate: null });
    expect(previewed.problems).toEqual(refusal!.errors);
  });

  it('estimates what the pipeline costs for the samples and priority', () => {
    const { preview } = worldWithPreview();
    const previewed = previewWorkset(preview, { customerId: 'lab-1', body: body(), actor: 'lab-1' });
    expect(previewed.estimate).toMatchObject({ pipeline_type: 'germline_wgs_snv_sv', sample_count: 2, priority: 'low', vcpu_hours: 24, cost_breakdown_usd: { compute: 0.36 } });
  });

  it('answers as registration does when no control bucket is configured', () => {
    const { preview } = worldWithPreview();
    expect(() => previewWorkset({ ...preview, controlLocation: { ok: false, problem: 'No control bucket.' } }, { customerId: 'lab-1', body: body(), actor: 'lab-1' })).toThrow(NotConfiguredError);
  });
});
