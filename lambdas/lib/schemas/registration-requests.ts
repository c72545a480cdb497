/**
 * The workset API's request schemas: one source for validation, the TypeScript types
 * (`InferOutput`) and the OpenAPI document (`@valibot/to-json-schema`).
 */
import * as v from 'valibot';
import { PRIORITIES } from '../domain/workset.ts';
import { SAMPLE_TSV_FIELDS, type Sample } from '../domain/stage-samples.ts';
import type { HeaderParameter, RequestContract } from './contract.ts';
import { bucketName, email, identifier, keyPrefix, s3Uri, text, tsvValue, uploadId } from './fields.ts';
import { customerIdParameter } from './path-parameters.ts';

export const MAX_SAMPLES = 20_000;
export const MAX_YAML_BYTES = 5 * 1024 * 1024;

const optionalTsv = v.optional(tsvValue);
// Pure (annotated): a bundle without registration drops it and the schemas built on it.
const tsvFields = /* @__PURE__ */ Object.fromEntries(SAMPLE_TSV_FIELDS.map((name) => [name, optionalTsv])) as {
  [K in (typeof SAMPLE_TSV_FIELDS)[number]]: typeof optionalTsv;
};

/** The names a sample field may arrive under (the reference portal's and discover-samples' shapes). */
const ALIASES = {
  sample_id: ['sample_id', 'id', 'name'],
  r1_file: ['r1_file', 'r1', 'fq1'],
  r2_file: ['r2_file', 'r2', 'fq2'],
} as const;

/** One sample as a client sends it: aliases accepted, unknown keys rejected. */
export const SampleInput = v.pipe(
  v.strictObject({
    sample_id: optionalTsv,
    id: optionalTsv,
    name: optionalTsv,
    r1_file: optionalTsv,
    r1: optionalTsv,
    fq1: optionalTsv,
    r2_file: optionalTsv,
    r2: optionalTsv,
    fq2: optionalTsv,
    /** Sent by the reference portal; accepted and ignored. */
    status: optionalTsv,
    ...tsvFields,
  }),
  v.forward(
    v.check(
      (input) => ALIASES.sample_id.some((key) => (input[key] ?? '') !== ''),
      'is required (as sample_id, id or name)',
    ),
    ['sample_id'],
  ),
  v.transform((input): Sample => {
    const pick = (keys: readonly (keyof typeof input)[]) =>
      keys.map((key) => input[key]).find((value): value is string => typeof value === 'string' && value !== '') ?? '';
    const extra = Object.fromEntries(
      SAMPLE_TSV_FIELDS.filter((name) => input[name] !== undefined).map((name) => [name, input[name]]),
    );
    return {
      ...extra,
      sample_id: pick(ALIASES.sample_id),
      r1_file: pick(ALIASES.r1_file),
      r2_file: pick(ALIASES.r2_file),
    };
  }),
);

export const SampleList = v.pipe(
  v.array(SampleInput),
  v.maxLength(MAX_SAMPLES, `must have at most ${MAX_SAMPLES} samples`),
);

export const CreateWorksetRequest = v.strictObject({
  workset_name: text(256),
  pipeline_type: identifier,
  reference_genome: identifier,
  priority: v.optional(v.picklist(PRIORITIES, `must be one of ${PRIORITIES.join(', ')}`), 'normal'),
  samples: v.optional(SampleList),
  yaml_content: v.optional(v.pipe(v.string(), v.maxLength(MAX_YAML_BYTES, 'is too large'))),
  /** A sample sheet (TSV or CSV with a header): the stage_samples.tsv template or `sample_id, r1, r2`. */
  samples_tsv: v.optional(v.pipe(v.string(), v.maxLength(MAX_YAML_BYTES, 'is too large'))),
  /** A sheet staged through POST /api/customers/{customer_id}/uploads (read like samples_tsv): sheets beyond the request limit. */
  samples_upload_id: v.optional(uploadId),
  notification_email: v.optional(v.nullable(email)),
  enable_qc: v.optional(v.boolean(), true),
  archive_results: v.optional(v.boolean(), true),
  /** Where the customer's sample data lives (recorded; control files never go there). */
  s3_bucket: v.optional(v.nullable(bucketName)),
  s3_prefix: v.optional(v.nullable(keyPrefix)),
  export_uri: v.optional(v.nullable(s3Uri)),
});
export type CreateWorksetRequest = v.InferOutput<typeof CreateWorksetRequest>;

/**
 * The `samples` of a YAML document given as `yaml_content` (a mapping; nothing else in it is read).
 * Parsed as the one value, not through a loose object schema: the same issues, and no object
 * schema in the registration bundle besides the strict ones.
 */
export const YamlSamples = v.optional(SampleList);

export const IdempotencyKey = v.pipe(
  v.string(),
  v.trim(),
  v.nonEmpty('must not be empty'),
  v.maxLength(255, 'must be at most 255 characters'),
  v.regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces'),
);

const idempotencyKeyHeader = {
  schema: IdempotencyKey,
  description: 'Makes retries safe for 24 h: the same key and body replay the first answer; a different body is a 409.',
} satisfies HeaderParameter;

/** POST /api/customers/{customer_id}/worksets */
export const CreateWorksetContract = {
  path: { customer_id: customerIdParameter },
  headers: { 'Idempotency-Key': idempotencyKeyHeader },
  body: { schema: CreateWorksetRequest, required: true },
} satisfies RequestContract;

/** POST /api/customers/{customer_id}/worksets/preview: the same body, nothing written. */
export const PreviewWorksetContract = {
  path: { customer_id: customerIdParameter },
  body: { schema: CreateWorksetRequest, required: true },
} satisfies RequestContract;
