/**
 * Interpreting a validated create request: where its samples come from, and the fingerprint that
 * tells an idempotent replay from a reused key.
 */
import { createHash } from 'node:crypto';
import { FAILSAFE_SCHEMA, load } from 'js-yaml';
import { InvalidInputError } from '../../errors.ts';
import { parseOrThrow } from '../../schemas/parse.ts';
import { resolveSampleFiles, type Sample } from '../../domain/stage-samples.ts';
import { YamlSamplesDocument, type CreateWorksetRequest } from '../../schemas/registration-requests.ts';

/** A create request with its samples resolved: what registration acts on. */
export interface RegistrationRequest extends Omit<CreateWorksetRequest, 'samples' | 'yaml_content'> {
  readonly samples: readonly Sample[];
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

function samplesFromYaml(yamlContent: string): readonly Sample[] {
  let document: unknown;
  try {
    document = withoutNulls(loadLimited(yamlContent));
  } catch (error) {
    if (error instanceof YamlLimitExceeded) {
      throw new InvalidInputError(`yaml_content ${error.message}.`, [{ field: 'yaml_content', message: error.message }]);
    }
    const reason = error instanceof Error ? error.message.split('\n')[0] : 'unreadable';
    throw new InvalidInputError(`yaml_content is not valid YAML: ${reason}`, [{ field: 'yaml_content', message: 'is not valid YAML' }]);
  }
  if (document === undefined || document === null || (typeof document === 'string' && YAML_NULL.has(document))) return [];
  if (typeof document !== 'object' || Array.isArray(document)) {
    throw new InvalidInputError('yaml_content must be a YAML mapping (with a samples list).', [
      { field: 'yaml_content', message: 'must be a YAML mapping' },
    ]);
  }
  return parseOrThrow(YamlSamplesDocument, document, 'yaml_content', 'yaml_content').samples ?? [];
}

function rejectDuplicateSampleIds(samples: readonly Sample[], source: string): void {
  const seen = new Map<string, number>();
  samples.forEach((sample, index) => {
    const first = seen.get(sample.sample_id);
    if (first !== undefined) {
      throw new InvalidInputError(`Sample id "${sample.sample_id}" appears twice.`, [
        { field: `${source}[${index}].sample_id`, message: `duplicates ${source}[${first}].sample_id` },
      ]);
    }
    seen.set(sample.sample_id, index);
  });
}

/** `samples` wins; `yaml_content`'s `samples` list is read only when `samples` is absent. */
export function toRegistrationRequest(request: CreateWorksetRequest): RegistrationRequest {
  const { samples, yaml_content: yamlContent, ...rest } = request;
  const fromBody = samples !== undefined;
  const resolved = fromBody ? samples : yamlContent !== undefined ? samplesFromYaml(yamlContent) : [];
  rejectDuplicateSampleIds(resolved, fromBody ? 'samples' : 'yaml_content.samples');
  return {
    ...rest,
    samples: resolved.map((sample) => resolveSampleFiles(sample, rest.s3_bucket ?? undefined, rest.s3_prefix ?? undefined)),
  };
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

/** Fingerprint of what the request asks for (after defaults), not of its bytes. */
export function requestFingerprint(customerId: string, request: RegistrationRequest): string {
  return createHash('sha256').update(canonicalJson({ customerId, request })).digest('hex');
}

