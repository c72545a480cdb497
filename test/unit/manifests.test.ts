import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { registrationObjects } from '../../lambdas/lib/domain/control-folder.ts';
import { renderInfoYaml, renderWorkYaml } from '../../lambdas/lib/domain/manifests.ts';
import { registrationKeys } from '../../lambdas/lib/domain/registration.ts';
import { renderStageSamples, resolveSampleFiles, STAGE_SAMPLES_COLUMNS, type Sample } from '../../lambdas/lib/domain/stage-samples.ts';
import type { WorksetRecord } from '../../lambdas/lib/domain/workset.ts';

const record: WorksetRecord = {
  workset_id: 'run-1-0a1b2c3d',
  customer_id: 'lab-a',
  workset_name: 'Run: 1 "quoted" #not-a-comment',
  state: 'registering',
  priority: 'urgent',
  queue_order: '0#2026-01-01T00:00:00.000Z',
  pipeline_type: 'germline',
  reference_genome: 'GRCh38',
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

describe('daylily_work.yaml', () => {
  it('has the monitor keys with the workset id in day-clone', () => {
    const work = load(renderWorkYaml(record)) as Record<string, unknown>;
    expect(work).toEqual({
      'day-clone': '-d run-1-0a1b2c3d -t main',
      'dy-r': '-p help',
      export_uri: record.export_uri,
      notes: expect.any(String),
    });
  });
});

describe('daylily_info.yaml', () => {
  it('carries the reference fields, keys sorted', () => {
    const text = renderInfoYaml(record, samples);
    const info = load(text) as Record<string, unknown>;
    expect(info).toMatchObject({
      workset_id: record.workset_id,
      workset_name: record.workset_name,
      customer_id: 'lab-a',
      created_at: record.created_at,
      submitted_at: record.created_at,
      pipeline_type: 'germline',
      reference_genome: 'GRCh38',
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

  it('resolves relative FASTQ names against the data location and keeps URIs and absolute paths', () => {
    const resolved = resolveSampleFiles({ sample_id: 's', r1_file: 'lib_R1.fq.gz', r2_file: '/fsx/lib_R2.fq.gz' }, 'data-bucket', 'runs/1/');
    expect(resolved).toMatchObject({ r1_file: 's3://data-bucket/runs/1/lib_R1.fq.gz', r2_file: '/fsx/lib_R2.fq.gz' });
    expect(resolveSampleFiles({ sample_id: 's', r1_file: 'a.fq', r2_file: '' })).toMatchObject({ r1_file: 'a.fq' });
  });
});

describe('registration objects', () => {
  it('puts daylily.ready last and writes sample files only with samples', () => {
    const withSamples = registrationObjects(record, samples);
    expect(withSamples.files.map((file) => file.key.slice(record.control_prefix.length))).toEqual([
      'daylily_work.yaml',
      'daylily_info.yaml',
      'stage_samples.tsv',
      'sample_data/.keep',
    ]);
    expect(withSamples.ready.key).toBe(`${record.control_prefix}daylily.ready`);
    expect(registrationObjects(record, []).files.map((file) => file.key.split('/').pop())).toEqual(['daylily_work.yaml', 'daylily_info.yaml']);
  });

  it('are the keys the settle pass names from the record alone (its sample_count)', () => {
    const written = registrationObjects(record, samples);
    expect(registrationKeys(record)).toEqual({ files: written.files.map((file) => file.key), ready: written.ready });
    const empty = { ...record, sample_count: 0 };
    expect(registrationKeys(empty).files).toEqual(registrationObjects(empty, []).files.map((file) => file.key));
  });
});
