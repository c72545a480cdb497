/**
 * `stage_samples.tsv`: the manifest the monitor stages samples from (reference §4.2). Columns,
 * their source field and their default are declared once, here; the request schema reads the same
 * list to know which per-sample fields it accepts.
 */
import { isTsvCell } from './plain-text.ts';

/** Per-sample fields that map onto a TSV column (beyond sample_id / r1_file / r2_file). */
export const SAMPLE_TSV_FIELDS = [
  'experiment_id',
  'sample_type',
  'lib_prep',
  'seq_vendor',
  'seq_platform',
  'lane',
  'seqbc_id',
  'concordance_dir',
  'stage_directive',
  'stage_target',
  'subsample_pct',
  'is_pos_ctrl',
  'is_neg_ctrl',
  'n_x',
  'n_y',
  'external_sample_id',
] as const;
export type SampleTsvField = (typeof SAMPLE_TSV_FIELDS)[number];

export type Sample = { readonly sample_id: string; readonly r1_file: string; readonly r2_file: string } & {
  readonly [K in SampleTsvField]?: string;
};

/**
 * A column: the sample field it shows (`RUN_ID` shows the workset id), what a sample without that
 * field shows (`SAMPLE_ID`: its sample id), and its header when that is not the field's name in
 * upper case.
 */
type Column = readonly [field: keyof Sample | 'run_id', fallback?: string, header?: string];

const SAMPLE_ID = 'SAMPLE_ID';

/** The 20 columns of `etc/analysis_samples_template.tsv`, with the reference's defaults. */
export const STAGE_SAMPLES_COLUMNS: readonly Column[] = [
  ['run_id'],
  ['sample_id'],
  ['experiment_id', SAMPLE_ID, 'EXPERIMENTID'],
  ['sample_type', 'WGS'],
  ['lib_prep', 'ILLUMINA'],
  ['seq_vendor', 'ILLUMINA'],
  ['seq_platform', 'NOVASEQ'],
  ['lane', '1'],
  ['seqbc_id', ''],
  ['concordance_dir', '', 'PATH_TO_CONCORDANCE_DATA_DIR'],
  ['r1_file', undefined, 'R1_FQ'],
  ['r2_file', undefined, 'R2_FQ'],
  ['stage_directive', 'STAGE'],
  ['stage_target', ''],
  ['subsample_pct', '100'],
  ['is_pos_ctrl', 'FALSE'],
  ['is_neg_ctrl', 'FALSE'],
  ['n_x', ''],
  ['n_y', ''],
  ['external_sample_id', SAMPLE_ID],
];

/**
 * Renders the manifest: LF line endings and no trailing newline, as the reference writes it.
 * Throws on a cell a reader could misparse (domain/plain-text.ts) — the request schema rejects
 * them first with a 400, so this is a last guard that no malformed row ever reaches the monitor.
 */
export function renderStageSamples(worksetId: string, samples: readonly Sample[]): string {
  const lines = [STAGE_SAMPLES_COLUMNS.map(([field, , header]) => header ?? field.toUpperCase()).join('\t')];
  for (const sample of samples) {
    const cells = STAGE_SAMPLES_COLUMNS.map(([field, fallback]) =>
      field === 'run_id' ? worksetId : (sample[field] ?? (fallback === SAMPLE_ID ? sample.sample_id : fallback ?? '')),
    );
    const unsafe = cells.find((cell) => !isTsvCell(cell));
    if (unsafe !== undefined) throw new Error(`sample ${JSON.stringify(sample.sample_id)} has a TSV value a reader could misparse`);
    lines.push(cells.join('\t'));
  }
  return lines.join('\n');
}

/** `s3://`, a bucket name as S3 allows it, `/`, and a key. */
const S3_OBJECT = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/[^/]/;
const DOT_SEGMENT = /(^|\/)\.\.?(\/|$)/;

/**
 * Where a FASTQ named in a request lives: an `s3://bucket/key` URI as given, or a relative name
 * under the data location (`lib1_R1.fq.gz` → `s3://{s3_bucket}/{s3_prefix}lib1_R1.fq.gz`), so the
 * stager can fetch it and every file a workset reads is an S3 object. Other schemes, absolute paths,
 * `.`/`..` segments and relative names without `s3_bucket` are refused with the reason.
 */
export function resolveFastq(file: string, dataBucket?: string | null, dataPrefix?: string | null): { readonly uri: string } | { readonly problem: string } {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(file) || file.startsWith('/')) {
    return S3_OBJECT.test(file) && !DOT_SEGMENT.test(file.slice(5)) && !file.endsWith('/')
      ? { uri: file }
      : { problem: 'must be an s3://bucket/key URI or a name under s3_bucket / s3_prefix' };
  }
  if (DOT_SEGMENT.test(file)) return { problem: 'must not contain "." or ".." path segments' };
  if (!dataBucket) return { problem: 'is a relative name: give s3_bucket (and s3_prefix), or an s3:// URI' };
  return { uri: `s3://${dataBucket}/${dataPrefix ?? ''}${file}` };
}
