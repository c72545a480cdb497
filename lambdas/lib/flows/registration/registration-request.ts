/**
 * Interpreting a validated create request: the pipeline and genome build it names (in the
 * catalogue), where its samples come from and where their FASTQs live, and the fingerprint that
 * tells an idempotent replay from a reused key. Registration and preview run the same checks, so a
 * preview lists exactly the problems a registration would answer.
 *
 * Every problem is collected before one error is thrown: a malformed source (yaml_content or
 * samples_tsv that cannot be read) is a 400 like a schema error; a well-formed request that cannot
 * be acted on (unknown pipeline or build, several sample sources, a FASTQ that is not an S3 object
 * or a relative name without s3_bucket, duplicate sample ids) is a 422.
 */
import { createHash } from 'node:crypto';
import * as v from 'valibot';
import { FAILSAFE_SCHEMA, load } from 'js-yaml';
import type { FolderContents } from '../../domain/control-folder.ts';
import type { RunCatalogue } from '../../domain/pipeline-catalogue.ts';
import { resolveGenomeBuild, resolvePipeline } from '../../domain/pipeline-commands.ts';
import { parseSampleSheet } from '../../domain/sample-sheet.ts';
import { resolveFastq, type Sample } from '../../domain/stage-samples.ts';
import { MAX_UPLOADED_SAMPLES } from '../../domain/sheet-upload.ts';
import { UnprocessableInputError, type FieldError } from '../../errors.ts';
import { fieldErrors, invalidInput } from '../../schemas/parse.ts';
import { MAX_SAMPLES, SampleInput, YamlSamples, type CreateWorksetRequest } from '../../schemas/registration-requests.ts';

/**
 * A create request with its names resolved and its samples read: what registration acts on.
 * `pipeline_type` is the catalogue id (`requested_pipeline_type` what was sent); every sample's
 * `r1_file` / `r2_file` is an `s3://bucket/key` URI (`r2_file` may be empty: single-end reads), so
 * a check of the customer's data locations can run on them as they are.
 */
export interface RegistrationRequest extends Omit<CreateWorksetRequest, 'samples' | 'yaml_content' | 'samples_tsv'>, FolderContents {
  readonly genome_build: string;
  /** The field the samples came from (`samples`, `yaml_content.samples`, `samples_tsv`, `samples_upload_id`), so the customer's checks name it. */
  readonly samples_field: SamplesField;
  /** A sheet's line of each sample, so the customer's checks name rows as the sheet's own problems do. */
  readonly sample_lines?: readonly number[];
}

/** YAML's spellings of null (an empty value arrives as null already). */
const YAML_NULL = new Set(['null', 'Null', 'NULL', '~']);

/** Mapping entries whose value is null are dropped: `r2_file:` means "no R2 file", as in the reference. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, item]) => item !== null && !(typeof item === 'string' && YAML_NULL.has(item)))
      .map(([key, item]) => [key, withoutNulls(item)]),
  );
}

/** How deep `yaml_content` may nest: `samples:` → list → sample → value is 4. */
export const MAX_YAML_DEPTH = 8;
/** Nodes `yaml_content` may hold: the sample limit times every sample field, with room. */
export const MAX_YAML_NODES = 1_000_000;

/** A document over a limit: refused while it is read, before it costs more. */
class YamlLimitExceeded extends Error {}

/**
 * The failsafe schema keeps every scalar as the text the customer wrote: sample "00123" must not
 * become the number 123, nor "1e3" 1000; it also allows no custom tags (no code execution).
 * Anchors are refused as soon as one is defined: aliases to them make a few hundred bytes expand
 * into gigabytes once the document is walked.
 */
function loadLimited(yamlContent: string): unknown {
  let depth = 0;
  let nodes = 0;
  return load(yamlContent, {
    schema: FAILSAFE_SCHEMA,
    listener(event, state) {
      const { anchor, anchorMap } = state as unknown as { anchor?: string | null; anchorMap: Record<string, unknown> };
      if (anchor != null || Object.keys(anchorMap).length > 0) throw new YamlLimitExceeded('must not use anchors or aliases (&name, *name)');
      if (event === 'close') {
        depth -= 1;
        return;
      }
      depth += 1;
      nodes += 1;
      if (depth > MAX_YAML_DEPTH) throw new YamlLimitExceeded(`must not nest deeper than ${MAX_YAML_DEPTH} levels`);
      if (nodes > MAX_YAML_NODES) throw new YamlLimitExceeded(`must have at most ${MAX_YAML_NODES} nodes`);
    },
  });
}

/** The samples of `yaml_content`; what makes it unreadable goes to `malformed`, naming where. */
function samplesFromYaml(yamlContent: string, malformed: FieldError[]): readonly Sample[] {
  let document: unknown;
  try {
    document = withoutNulls(loadLimited(yamlContent));
  } catch (error) {
    const reason = error instanceof YamlLimitExceeded ? error.message : `is not valid YAML: ${error instanceof Error ? error.message.split('\n')[0] : 'unreadable'}`;
    malformed.push({ field: 'yaml_content', message: reason });
    return [];
  }
  if (document === undefined || document === null || (typeof document === 'string' && YAML_NULL.has(document))) return [];
  if (typeof document !== 'object' || Array.isArray(document)) {
    malformed.push({ field: 'yaml_content', message: 'must be a YAML mapping (with a samples list)' });
    return [];
  }
  const parsed = v.safeParse(YamlSamples, (document as { samples?: unknown }).samples, { abortEarly: false });
  if (parsed.success) return parsed.output ?? [];
  malformed.push(...fieldErrors(parsed.issues, 'yaml_content.samples'));
  return [];
}

export type SamplesField = 'samples' | 'yaml_content.samples' | 'samples_tsv' | 'samples_upload_id';

/** Samples as read, and how to name a sample's field in a problem (as the customer wrote it). */
interface SampleSource {
  readonly field: SamplesField;
  readonly samples: readonly Sample[];
  /** A sheet's line of each sample. */
  readonly lines?: readonly number[];
  readonly fieldOf: (index: number, key: keyof Sample) => string;
}

const SOURCES = ['samples', 'yaml_content', 'samples_tsv', 'samples_upload_id'] as const;

/**
 * The sheet a request's `samples_upload_id` names, as read from its staging key
 * (staged-sheet.ts), or why it cannot be used (a problem of `samples_upload_id`).
 */
export type StagedSheetText = { readonly text: string } | { readonly problem: string };

/** Whether a request's only samples source is an upload: then its sheet must be read before it can be checked. */
export function namesOnlyUpload(request: CreateWorksetRequest): request is CreateWorksetRequest & { samples_upload_id: string } {
  return request.samples_upload_id !== undefined && SOURCES.filter((name) => request[name] !== undefined).length === 1;
}
const listSource = (samples: readonly Sample[], field: 'samples' | 'yaml_content.samples'): SampleSource => ({ field, samples, fieldOf: (index, key) => `${field}[${index}].${key}` });
const NO_SAMPLES = listSource([], 'samples');

/** The template's column names that are not their field's name in capitals; RUN_ID fills none (the workset id replaces it). */
const RENAMED_COLUMNS: Readonly<Record<string, string>> = { run_id: '', experimentid: 'experiment_id', path_to_concordance_data_dir: 'concordance_dir', r1_fq: 'r1_file', r2_fq: 'r2_file' };

/** Where a sheet came from: the field its problems name, and how many samples it may hold. */
interface SheetOrigin {
  readonly field: 'samples_tsv' | 'samples_upload_id';
  readonly maxSamples: number;
}
const INLINE_SHEET: SheetOrigin = { field: 'samples_tsv', maxSamples: MAX_SAMPLES };
const UPLOADED_SHEET: SheetOrigin = { field: 'samples_upload_id', maxSamples: MAX_UPLOADED_SAMPLES };

/**
 * A sheet's rows as samples: a column is a sample field (any case: `SAMPLE_TYPE` is
 * `sample_type`) or one of the template's own names, read like the fields of `samples`. Its
 * problems go to `malformed` (a 400 for `samples_tsv`, which is part of the body; a 422 for an
 * uploaded sheet, which the well-formed body only names).
 */
function sheetSource(text: string, malformed: FieldError[], origin: SheetOrigin): SampleSource {
  const sheet = parseSampleSheet(text);
  const at = (line: number) => `${origin.field}[line ${line}]`;
  if (!sheet.ok) {
    malformed.push({ field: at(sheet.line), message: sheet.problem });
    return { ...NO_SAMPLES, field: origin.field };
  }
  const keys = sheet.header.map((name) => RENAMED_COLUMNS[name.toLowerCase()] ?? name.toLowerCase());
  const problems = malformed.length;
  if (sheet.rows.length > origin.maxSamples) malformed.push({ field: origin.field, message: `must have at most ${origin.maxSamples} samples` });
  if (malformed.length > problems) return { ...NO_SAMPLES, field: origin.field };
  const samples: Sample[] = [];
  const lines: number[] = [];
  for (const { line, cells } of sheet.rows) {
    const parsed = v.safeParse(SampleInput, Object.fromEntries(keys.flatMap((key, column) => (key && cells[column]!.trim() ? [[key, cells[column]]] : []))), { abortEarly: false });
    if (parsed.success) {
      samples.push(parsed.output);
      lines.push(line);
    } else malformed.push(...fieldErrors(parsed.issues, at(line)));
  }
  return { field: origin.field, samples, lines, fieldOf: (index, key) => `${at(lines[index]!)}.${key}` };
}

/**
 * The samples' FASTQs as S3 URIs (resolveFastq), and no sample id twice; each problem names the
 * field as its source spelled it.
 */
function resolveSamples(source: SampleSource, request: CreateWorksetRequest, unprocessable: FieldError[]): Sample[] {
  const seen = new Map<string, number>();
  return source.samples.map((sample, index) => {
    const first = seen.get(sample.sample_id);
    if (first === undefined) seen.set(sample.sample_id, index);
    else unprocessable.push({ field: source.fieldOf(index, 'sample_id'), message: `duplicates ${source.fieldOf(first, 'sample_id')}` });
    const files = (['r1_file', 'r2_file'] as const).map((key) => {
      const file = sample[key];
      if (file === '') {
        if (key === 'r1_file') unprocessable.push({ field: source.fieldOf(index, key), message: 'is required' });
        return file;
      }
      const resolved = resolveFastq(file, request.s3_bucket, request.s3_prefix);
      if ('uri' in resolved) return resolved.uri;
      unprocessable.push({ field: source.fieldOf(index, key), message: resolved.problem });
      return file;
    });
    return { ...sample, r1_file: files[0]!, r2_file: files[1]! };
  });
}

/**
 * Checks and resolves a create request against the catalogue; throws every problem found at once.
 * A request whose only source is `samples_upload_id` needs its sheet as `staged` (namesOnlyUpload).
 */
export function toRegistrationRequest(request: CreateWorksetRequest, catalogue: RunCatalogue, staged?: StagedSheetText): RegistrationRequest {
  const { samples, yaml_content: yamlContent, samples_tsv: samplesTsv, ...rest } = request;
  const malformed: FieldError[] = [];
  const unprocessable: FieldError[] = [];
  const pipeline = resolvePipeline(catalogue, rest.pipeline_type);
  if ('problem' in pipeline) unprocessable.push({ field: 'pipeline_type', message: pipeline.problem });
  const build = resolveGenomeBuild(catalogue, rest.reference_genome, 'value' in pipeline ? pipeline.value : undefined);
  if ('problem' in build) unprocessable.push({ field: 'reference_genome', message: build.problem });

  const given = SOURCES.filter((name) => request[name] !== undefined);
  let source = NO_SAMPLES;
  if (given.length > 1) unprocessable.push(...given.map((field) => ({ field, message: `give only one of ${given.join(', ')}` })));
  else if (samples) source = listSource(samples, 'samples');
  else if (yamlContent !== undefined) source = listSource(samplesFromYaml(yamlContent, malformed), 'yaml_content.samples');
  else if (samplesTsv !== undefined) source = sheetSource(samplesTsv, malformed, INLINE_SHEET);
  else if (request.samples_upload_id !== undefined) {
    if (!staged) throw new Error('toRegistrationRequest: a request naming an upload needs its staged sheet');
    if ('problem' in staged) unprocessable.push({ field: 'samples_upload_id', message: staged.problem });
    else source = sheetSource(staged.text, unprocessable, UPLOADED_SHEET);
  }
  const resolved = resolveSamples(source, request, unprocessable);

  if (malformed.length > 0) throw invalidInput('request body', [...malformed, ...unprocessable]);
  if (unprocessable.length > 0 || 'problem' in pipeline || 'problem' in build) throw invalidInput('workset', unprocessable, UnprocessableInputError);
  return {
    ...rest,
    pipeline_type: pipeline.value.id,
    requested_pipeline_type: rest.pipeline_type,
    genome_build: build.value,
    pipeline: pipeline.value,
    catalogue_version: catalogue.version,
    samples: resolved,
    samples_field: source.field,
    ...(source.lines ? { sample_lines: source.lines } : {}),
  };
}

/**
 * The monitor exports results with its own credentials: a caller-chosen `export_uri` inside the
 * control bucket could overwrite another workset's folder. Only the default (this workset's own
 * `results/`) may live there. A 400, as the request names a location it may never use.
 */
export function exportUriProblem(exportUri: string | null | undefined, controlBucket: string): FieldError | undefined {
  return exportUri && exportUri.replace(/^s3:\/\//, '').split('/')[0] === controlBucket ? { field: 'export_uri', message: 'must not be in the control bucket' } : undefined;
}

/** JSON with object keys sorted at every level: equal requests give equal text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Fingerprint of a request naming an upload: of the body as validated (the upload id, not the
 * sheet's rows), so a retry after registration removed the staged sheet is still recognised as the
 * same request. The upload id is the server's and names one sheet of one customer.
 */
export function uploadRequestFingerprint(customerId: string, request: CreateWorksetRequest): string {
  return createHash('sha256').update(canonicalJson({ customerId, upload: request })).digest('hex');
}

/**
 * Fingerprint of what the request asks for (after defaults), not of its bytes. The catalogue entry
 * it resolved to is left out: a retry after an operator updated the catalogue is the same request.
 */
export function requestFingerprint(customerId: string, request: RegistrationRequest): string {
  const { pipeline: _entry, catalogue_version: _version, ...asked } = request;
  return createHash('sha256').update(canonicalJson({ customerId, request: asked })).digest('hex');
}

