/** The catalogue routes, the estimate and the registration dry run, through their real handlers. */
import { describe, expect, it } from 'vitest';
import { BUILT_IN_RUNS, builtInCatalogue } from '../../lambdas/lib/domain/pipeline-catalogue.ts';
import { renderDyR } from '../../lambdas/lib/domain/pipeline-commands.ts';
import { call } from '../support/api.ts';
import { useLocalAws } from '../support/local-aws.ts';

const aws = useLocalAws('pipelines');
const CURL_BODY = { workset_name: 'test-workset', pipeline_type: 'snv', reference_genome: 'GRCh38' };

describe('the pipeline catalogue', () => {
  it('lists every pipeline with its aliases, builds, dy-r, day-clone tag and cost inputs', async () => {
    const response = await call('ListPipelines');
    expect(response.status).toBe(200);
    const catalogue = builtInCatalogue();
    expect(response.json.catalogue_version).toBe(catalogue.version);
    expect(response.json.genome_builds).toEqual([
      { id: 'b37', aliases: ['GRCh37'] },
      { id: 'hg38', aliases: ['GRCh38'] },
      { id: 'hg38_broad', aliases: [] },
    ]);
    expect(response.json.pipelines.map((pipeline: { id: string }) => pipeline.id)).toEqual(['test_help', 'germline_wgs_snv', 'germline_wgs_snv_sv', 'germline_wgs_kitchensink']);
    for (const pipeline of catalogue.pipelines) {
      expect(response.json.pipelines.find((view: { id: string }) => view.id === pipeline.id)).toMatchObject({
        title: pipeline.title,
        aliases: pipeline.aliases,
        dy_r: renderDyR(pipeline.dy_r),
        day_clone: { tag: 'main', repository: null },
        cost: pipeline.cost,
      });
    }
  });

  it.each([
    ['germline_wgs_snv', 'germline_wgs_snv'],
    ['snv', 'germline_wgs_snv'],
    ['SV', 'germline_wgs_snv_sv'],
    ['wgs', 'germline_wgs_kitchensink'],
  ])('answers %s as %s', async (name, id) => {
    const response = await call('GetPipeline', { path: { pipeline_id: name } });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ id, default_jobs: 200, genome_builds: ['b37', 'hg38', 'hg38_broad'] });
  });

  it.each(['rnaseq', 'a;b', '..'])('answers 404 for %s', async (name) => {
    const response = await call('GetPipeline', { path: { pipeline_id: name } });
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toBe('application/problem+json');
  });
});

describe('the cost estimate', () => {
  const estimate = (body: Record<string, unknown>) => call('EstimateCost', { body });

  it("prices one 30x germline sample at normal priority from the catalogue's model, the components adding up", async () => {
    const response = await estimate({ pipeline_type: 'germline' });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      pipeline_type: 'germline_wgs_snv',
      sample_count: 1,
      estimated_coverage: 30,
      priority: 'normal',
      data_size_gb: 50,
      vcpu_hours: 8,
      estimated_duration_hours: 0.5,
      // 8 vCPU-h × $0.03; 50 GB × $0.023 × 0.25 month; 50 GB × $0.14 × 0.25; 10% of 50 GB × $0.09.
      cost_breakdown_usd: { compute: 0.24, s3_storage: 0.29, fsx_storage: 1.75, transfer: 0.45 },
      estimated_cost_usd: 2.73,
    });
    expect(response.json.assumptions.join('\n')).toMatch(/8 vCPU-hours per sample at 30x[\s\S]*\$0\.03 per vCPU-hour[\s\S]*50 GB per sample/);
  });

  it('scales compute and data with samples and coverage, prices by priority only through the vCPU rate, and takes data_size_gb as given', async () => {
    const response = await estimate({ pipeline_type: 'wgs', sample_count: 2, estimated_coverage: 60, priority: 'urgent', data_size_gb: 100 });
    expect(response.json).toMatchObject({
      vcpu_hours: 64, // 16 × 2 × 60/30
      data_size_gb: 100,
      cost_breakdown_usd: { compute: 5.12, s3_storage: 0.58, fsx_storage: 3.5, transfer: 0.9 },
      estimated_cost_usd: 10.1,
    });
    const low = await estimate({ pipeline_type: 'wgs', sample_count: 2, estimated_coverage: 60, priority: 'low', data_size_gb: 100 });
    expect(low.json.cost_breakdown_usd).toEqual({ ...response.json.cost_breakdown_usd, compute: 0.96 });
  });

  it('charges each GB of storage once: ten samples cost ten times one sample', async () => {
    const one = await estimate({ pipeline_type: 'snv' });
    const ten = await estimate({ pipeline_type: 'snv', sample_count: 10 });
    expect(ten.json.data_size_gb).toBe(500);
    expect(ten.json.cost_breakdown_usd.s3_storage).toBeCloseTo(one.json.cost_breakdown_usd.s3_storage * 10, 1);
    expect(ten.json.cost_breakdown_usd.fsx_storage).toBeCloseTo(17.5, 2);
  });

  it('answers 422 for an unknown pipeline or a genome the pipeline does not run on, listing the allowed values', async () => {
    const response = await estimate({ pipeline_type: 'rnaseq', reference_genome: 'hg19' });
    expect(response.status).toBe(422);
    expect(response.json.errors).toEqual([
      { field: 'pipeline_type', message: expect.stringContaining('one of: test_help, germline_wgs_snv (germline, snv)') },
      { field: 'reference_genome', message: expect.stringContaining('hg19 is not b37') },
    ]);
  });

  it.each([
    [{ pipeline_type: 'snv', sample_count: 0 }, 'sample_count'],
    [{ pipeline_type: 'snv', sample_count: 1.5 }, 'sample_count'],
    [{ pipeline_type: 'snv', estimated_coverage: 0 }, 'estimated_coverage'],
    [{ pipeline_type: 'snv', data_size_gb: -1 }, 'data_size_gb'],
    [{ pipeline_type: 'snv', priority: 'high' }, 'priority'],
    [{}, 'pipeline_type'],
  ])('answers 400 for %j, naming %s', async (body, field) => {
    const response = await estimate(body);
    expect(response.status).toBe(400);
    expect(response.json.errors.map((error: { field: string }) => error.field)).toContain(field);
  });
});

describe('the registration dry run', () => {
  const preview = (customerId: string, body: Record<string, unknown>) => call('PreviewWorkset', { path: { customer_id: customerId }, body });

  it("writes nothing, and its files are registration's, byte for byte, but for the id and the time", async () => {
    const customerId = 'preview-lab';
    await aws.seedCustomer(customerId);
    const body = {
      ...CURL_BODY,
      priority: 'urgent',
      s3_bucket: 'lab-data',
      s3_prefix: 'runs/7',
      samples_tsv: 'sample_id,r1,r2\nS1,S1_R1.fq.gz,S1_R2.fq.gz\nS2,s3://lab-data/other/S2_R1.fq.gz,\n',
    };
    const before = await aws.listKeys('');
    const previewed = await preview(customerId, body);
    expect(previewed.status).toBe(200);
    expect(await aws.listKeys('')).toEqual(before);
    expect(previewed.json).toMatchObject({ valid: true, registration_status: 201, problems: [], pipeline_type: 'germline_wgs_snv', genome_build: 'hg38' });
    expect(Object.keys(previewed.json.files)).toEqual(['daylily_work.yaml', 'daylily_info.yaml', 'stage_samples.tsv']);
    expect(previewed.json.estimate).toMatchObject({ pipeline_type: 'germline_wgs_snv', sample_count: 2, priority: 'urgent' });

    const registered = await call('CreateWorkset', { path: { customer_id: customerId }, body });
    expect(registered.status).toBe(201);
    const folder = `${aws.controlPrefix}${registered.json.workset_id}/`;
    // The preview's own id and clock, swapped for registration's: everything else is the same bytes.
    const same = (text: string) =>
      text.replaceAll(previewed.json.workset_id, registered.json.workset_id).replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, 'AT');
    for (const [name, text] of Object.entries(previewed.json.files as Record<string, string>)) {
      expect(same(text), name).toBe((await aws.getText(`${folder}${name}`))!.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, 'AT'));
    }
    expect(previewed.json.control_folder.replace(previewed.json.workset_id, registered.json.workset_id)).toBe(registered.json.control_folder);
  });

  it("lists exactly the problems registration answers, with registration's status, and still estimates the pipeline", async () => {
    const body = { ...CURL_BODY, reference_genome: 'hg19', samples: [{ sample_id: 'S1', r1_file: 'S1.fq' }, { sample_id: 'S1', r1_file: 's3://lab-data/b.fq' }] };
    const [previewed, registered] = await Promise.all([preview('preview-lab', body), call('CreateWorkset', { path: { customer_id: 'preview-lab' }, body })]);
    expect(registered.status).toBe(422);
    expect(previewed.json).toMatchObject({ valid: false, registration_status: 422, files: null, workset_id: null, pipeline_type: 'germline_wgs_snv' });
    expect(previewed.json.problems).toEqual(registered.json.errors);
    expect(previewed.json.estimate).toMatchObject({ sample_count: 2 });
  });

  it('reports a malformed sheet as registration would (400), and an export into the control bucket', async () => {
    const previewed = await preview('preview-lab', { ...CURL_BODY, samples_tsv: 'sample_id,r1\n"S1,a.fq\n', export_uri: `s3://${aws.bucket}/elsewhere/` });
    expect(previewed.json).toMatchObject({ valid: false, registration_status: 400 });
    expect(previewed.json.problems.map((problem: { field: string }) => problem.field)).toEqual(['samples_tsv[line 2]', 'export_uri']);
  });

  it('renders every catalogue entry with its own dy-r', async () => {
    for (const pipeline of BUILT_IN_RUNS.pipelines) {
      const previewed = await preview('preview-lab', { ...CURL_BODY, pipeline_type: pipeline.id });
      expect(previewed.json.files['daylily_work.yaml']).toContain(renderDyR(pipeline.dy_r).split(' ')[0]);
    }
  });
});
