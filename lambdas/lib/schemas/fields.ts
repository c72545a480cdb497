/** Reusable field schemas: one definition of what a valid name, identifier or S3 location is. */
import * as v from 'valibot';
import { hasControlCharacter, hasLineSeparator, hasLoneSurrogate } from '../domain/plain-text.ts';
import { UPLOAD_ID_PATTERN } from '../domain/sheet-upload.ts';

/** What makes text plain (domain/plain-text.ts), one check and one message each. */
const plainText = [
  v.check((value: string) => !hasControlCharacter(value), 'must not contain control characters'),
  v.check((value: string) => !hasLineSeparator(value), 'must not contain line separators (U+2028, U+2029)'),
  v.check((value: string) => !hasLoneSurrogate(value), 'must not contain unpaired surrogates'),
] as const;

/** Free text (names): trimmed, non-empty, bounded, no control characters, line separators or lone surrogates. */
// Marked free of side effects (as valibot's own builders are), so a bundle drops unused schemas.
export const text = /* @__NO_SIDE_EFFECTS__ */ (max: number) =>
  v.pipe(
    v.string(),
    v.trim(),
    v.nonEmpty('must not be empty'),
    v.maxLength(max, `must be at most ${max} characters`),
    ...plainText,
  );

/** Pipeline types, reference genomes: identifiers the cluster tooling receives. */
export const identifier = v.pipe(
  v.string(),
  v.trim(),
  v.nonEmpty('must not be empty'),
  v.maxLength(64, 'must be at most 64 characters'),
  v.regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, 'may contain only letters, digits and . _ + -'),
);

export const bucketName = v.pipe(
  v.string(),
  v.trim(),
  v.regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid S3 bucket name'),
);

const keyPrefixCheck = (value: string) =>
  !hasControlCharacter(value) && !hasLoneSurrogate(value) && !value.split('/').some((segment) => segment === '..' || segment === '.');

/** A key prefix inside a bucket: no control characters, no `.`/`..` segments; normalised to end in `/`. */
export const keyPrefix = v.pipe(
  v.string(),
  v.trim(),
  v.maxLength(1024, 'must be at most 1024 characters'),
  v.check(keyPrefixCheck, 'must not contain control characters or "." / ".." segments'),
  v.transform((value) => {
    const stripped = value.replace(/^\/+/, '').replace(/\/+$/, '');
    return stripped === '' ? '' : `${stripped}/`;
  }),
);

export const s3Uri = v.pipe(
  v.string(),
  v.trim(),
  v.maxLength(1024, 'must be at most 1024 characters'),
  v.regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[^\s]*)?$/, 'must be an s3:// URI'),
  v.check(keyPrefixCheck, 'must not contain control characters or "." / ".." segments'),
);

export const email = v.pipe(v.string(), v.trim(), v.maxLength(254, 'must be at most 254 characters'), v.email('must be an email address'));

/**
 * A cell as sent: a string, number or boolean. One check rather than a union of three schemas (the
 * same issue: its message, at the cell's path) keeps valibot's union and number out of the
 * registration bundle; infra/openapi.ts documents it as the union it is.
 */
export const tsvScalar = v.custom<string | number | boolean>(
  // NaN is no number to valibot (nor can JSON send it).
  (value) => typeof value === 'string' || (typeof value === 'number' && !Number.isNaN(value)) || typeof value === 'boolean',
  'must be a string, number or boolean',
);

/**
 * A TSV cell: strings, numbers and booleans are accepted and written as text. Refused rather than
 * escaped (the stager reads `stage_samples.tsv` with Python's csv module, and `daylily_info.yaml`
 * must carry the same text): tabs, line breaks and every other control character or line
 * separator, unpaired surrogates, and a leading `"` (csv takes it as the start of a quoted cell,
 * running it on into the next rows).
 */
export const tsvValue = v.pipe(
  tsvScalar,
  v.transform((value) => String(value).trim()),
  v.maxLength(1024, 'must be at most 1024 characters'),
  ...plainText,
  v.check((value) => !value.startsWith('"'), 'must not start with a double quote'),
);

/** A page size in a query string: digits, from 1 to `max`, `fallback` when absent. */
export const pageLimit = /* @__NO_SIDE_EFFECTS__ */ (max: number, fallback: string) =>
  v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d+$/, `must be an integer from 1 to ${max}`),
      v.transform(Number),
      v.minValue(1, `must be an integer from 1 to ${max}`),
      v.maxValue(max, `must be an integer from 1 to ${max}`),
    ),
    fallback,
  );

/** A listing's cursor, as the previous page gave it. */
export const nextToken = /* @__NO_SIDE_EFFECTS__ */ () => v.optional(v.pipe(v.string(), v.nonEmpty('must not be empty'), v.maxLength(2048, 'is too long')));

/** An upload id as a client sends it back: the shape the server generates (the staging key is derived from it). */
export const uploadId = v.pipe(v.string(), v.regex(UPLOAD_ID_PATTERN, 'must be an upload_id from POST /api/customers/{customer_id}/uploads'));
