import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { registrationObjects } from '../../lambdas/lib/domain/control-folder.ts';
import { renderInfoYaml, renderWorkYaml } from '../../lambdas/lib/domain/manifests.ts';
import { registrationKeys } from '../../lambdas/lib/domain/registration.ts';
import { BUILT_IN_RUNS } from '../../lambdas/lib/domain/pipeline-catalogue.ts';
import { findPipeline } from '../../lambdas/lib/domain/pipeline-commands.ts';
import { renderStageSamples, resolveFastq, STAGE_SAMPLES_COLUMNS, type Sample } from '../../lambdas/lib/domain/stage-samples.ts';
import type { WorksetRecord } from '../../lambdas/lib/domain/workset.ts';

const record: WorksetRecord = {
  workset_id: 'run-1-0a1b2c3d',
  customer_id: 'lab-a',
  workset_name: 'Run: 1 "quoted" #not-a-comment',
  state: 'registering',
  priority: 'urgent',
  queue_order: '0#2026-01-01T00:00:00.000Z',
  pipeline_type: 'germline_wgs_snv',
  reference_genome: 'GRCh38',
  genome_build: 'hg38',
  sample_count: 2,
  control_bucket: 'control-bucket',
  control_prefix: 'daylily_monitoring/active_worksets/run-1-0a1b2c3d/',
  export_uri: 's3://control-bucket/daylily_monitoring/active_worksets/run-1-0a1b2c3d/results/',
  enable_qc: true,
  archive_results: false,
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
  state_history: [],
};
const samples: Sample[] = [
  { sample_id: 'S1', r1_file: 's3://data/S1_R1.fq.gz', r2_file: 's3://data/S1_R2.fq.gz' },
  { sample_id: 'S2', r1_file: 's3://data/S2_R1.fq.gz', r2_file: '', lane: '3', is_pos_ctrl: 'TRUE' },
];
const contents = (of: readonly Sample[] = samples) => ({
  samples: of,
  pipeline: findPipeline(BUILT_IN_RUNS, 'germline_wgs_snv')!,
  catalogue_version: BUILT_IN_RUNS.version,
  requested_pipeline_type: 'germline',
});

describe('daylily_work.yaml', () => {
  it("has the monitor keys: the catalogue entry's dy-r, day-clone with the workset id and the pinned tag, the genome build", () => {
    const work = load(renderWorkYaml(record, contents())) as Record<string, unknown>;
    expect(work).toEqual({
      'day-clone': '-d run-1-0a1b2c3d -t main',
      'dy-r': 'produce_snv_concordances produce_alignstats -p -k -j 200 --config aligners=["bwa2a"] dedupers=["dppl"] snv_callers=["deep19"]',
      genome_build: 'hg38',
      export_uri: record.export_uri,
      notes: expect.any(String),
    });
  });
});

describe('daylily_info.yaml', () => {
  it('carries the reference fields, keys sorted', () => {
    const text = renderInfoYaml(record, contents());
    const info = load(text) as Record<string, unknown>;
    expect(info).toMatchObject({
      workset_id: record.workset_id,
      workset_name: record.workset_name,
      customer_id: 'lab-a',
      created_at: record.created_at,
      submitted_at: record.created_at,
      pipeline_type: 'germline_wgs_snv',
      requested_pipeline_type: 'germline',
      pipeline_catalogue_version: '1',
      reference_genome: 'GRCh38',
      genome_build: 'hg38',
      priority: 'urgent',
      sample_count: 2,
      sample_ids: ['S1', 'S2'],
      enable_qc: true,
      archive_results: false,
      notification_email: null,
      s3_bucket: 'control-bucket',
      s3_prefix: 'daylily_monitoring/active_worksets/run-1-0a1b2c3d',
      export_uri: record.export_uri,
    });
    const keys = text.split('\n').filter((line) => /^\w/.test(line)).map((line) => line.split(':')[0]);
    expect(keys).toEqual([...keys].sort());
  });
});

describe('stage_samples.tsv', () => {
  const parse = (tsv: string) => tsv.split('\n').map((line) => line.split('\t'));

  it('has the 20 columns, one row per sample, the reference defaults, and no trailing newline', () => {
    const tsv = renderStageSamples(record.workset_id, samples);
    expect(tsv.endsWith('\n')).toBe(false);
    const [header, first, second] = parse(tsv);
    expect(header).toHaveLength(20);
    expect(header?.slice(0, 3)).toEqual(['RUN_ID', 'SAMPLE_ID', 'EXPERIMENTID']);
    const row = (cells: string[] | undefined) => Object.fromEntries(header!.map((name, i) => [name, cells![i]]));
    expect(row(first)).toEqual({
      RUN_ID: record.workset_id,
      SAMPLE_ID: 'S1',
      EXPERIMENTID: 'S1',
      SAMPLE_TYPE: 'WGS',
      LIB_PREP: 'ILLUMINA',
      SEQ_VENDOR: 'ILLUMINA',
      SEQ_PLATFORM: 'NOVASEQ',
      LANE: '1',
      SEQBC_ID: '',
      PATH_TO_CONCORDANCE_DATA_DIR: '',
      R1_FQ: 's3://data/S1_R1.fq.gz',
      R2_FQ: 's3://data/S1_R2.fq.gz',
      STAGE_DIRECTIVE: 'STAGE',
      STAGE_TARGET: '',
      SUBSAMPLE_PCT: '100',
      IS_POS_CTRL: 'FALSE',
      IS_NEG_CTRL: 'FALSE',
      N_X: '',
      N_Y: '',
      EXTERNAL_SAMPLE_ID: 'S1',
    });
    expect(row(second)).toMatchObject({ LANE: '3', IS_POS_CTRL: 'TRUE', R2_FQ: '' });
    expect(STAGE_SAMPLES_COLUMNS).toHaveLength(20);
  });

  it('refuses to render a value with a tab or line break', () => {
    expect(() => renderStageSamples('x', [{ sample_id: 'a\tb', r1_file: '', r2_file: '' }])).toThrow();
  });

  it('resolves relative FASTQ names under the data location and keeps s3:// URIs', () => {
    expect(resolveFastq('lib_R1.fq.gz', 'data-bucket', 'runs/1/')).toEqual({ uri: 's3://data-bucket/runs/1/lib_R1.fq.gz' });
    expect(resolveFastq('sub/dir/lib_R1.fq.gz', 'data-bucket')).toEqual({ uri: 's3://data-bucket/sub/dir/lib_R1.fq.gz' });
    expect(resolveFastq('s3://other-bucket/runs/a b_R1.fq.gz', 'data-bucket')).toEqual({ uri: 's3://other-bucket/runs/a b_R1.fq.gz' });
  });

  it.each([
    ['a relative name without a data bucket', 'a.fq', undefined, /relative name/],
    ['an absolute path', '/fsx/lib_R2.fq.gz', 'data-bucket', /s3:\/\/bucket\/key/],
    ['another scheme', 'https://example.org/a.fq', 'data-bucket', /s3:\/\/bucket\/key/],
    ['an s3 URI without a key', 's3://data-bucket/', 'data-bucket', /s3:\/\/bucket\/key/],
    ['an s3 URI of a folder', 's3://data-bucket/runs/', 'data-bucket', /s3:\/\/bucket\/key/],
    ['an s3 URI with a bad bucket', 's3://Bad_Bucket/a.fq', 'data-bucket', /s3:\/\/bucket\/key/],
    ['an s3 URI with ..', 's3://data-bucket/runs/../a.fq', 'data-bucket', /s3:\/\/bucket\/key/],
    ['a relative name with ..', '../a.fq', 'data-bucket', /"\.\."/],
    ['a relative name with .', 'runs/./a.fq', 'data-bucket', /"\.\."/],
  ])('refuses %s', (_what, file, bucket, problem) => {
    const resolved = resolveFastq(file, bucket);
    expect('problem' in resolved && resolved.problem).toMatch(problem);
  });
});

describe('registration objects', () => {
  it('puts daylily.ready last and writes sample files only with samples', () => {
    const withSamples = registrationObjects(record, contents());
    expect(withSamples.files.map((file) => file.key.slice(record.control_prefix.length))).toEqual([
      'daylily_work.yaml',
      'daylily_info.yaml',
      'stage_samples.tsv',
      'sample_data/.keep',
    ]);
    expect(withSamples.ready.key).toBe(`${record.control_prefix}daylily.ready`);
    expect(registrationObjects(record, contents([])).files.map((file) => file.key.split('/').pop())).toEqual(['daylily_work.yaml', 'daylily_info.yaml']);
  });

  it('are the keys the settle pass names from the record alone (its sample_count)', () => {
    const written = registrationObjects(record, contents());
    expect(registrationKeys(record)).toEqual({ files: written.files.map((file) => file.key), ready: written.ready });
    const empty = { ...record, sample_count: 0 };
    expect(registrationKeys(empty).files).toEqual(registrationObjects(empty, contents([])).files.map((file) => file.key));
  });
});
