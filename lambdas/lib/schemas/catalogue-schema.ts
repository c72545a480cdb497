/**
 * What an operator's catalogue file must be (docs/pipelines.md): the shape of
 * domain/pipeline-catalogue.ts, with every token that reaches the head node's shell restricted to
 * characters no shell interprets, and the cross-references checked (unique names, known builds).
 * The built-in catalogue passes the same checks (test/unit/pipeline-catalogue.test.ts).
 */
import * as v from 'valibot';
import type { PipelineCatalogue } from '../domain/pipeline-catalogue.ts';
import type { FieldError } from '../errors.ts';
import { identifier, text } from './fields.ts';
import { fieldErrors } from './parse.ts';

/** A shell word made of `chars` only (none of them means anything to bash). */
const word = (pattern: RegExp, what: string) => v.pipe(v.string(), v.maxLength(200, 'must be at most 200 characters'), v.regex(pattern, `must be ${what}`));

const target = word(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, 'a Snakemake target (letters, digits, _ . -)');
const option = word(/^--?[A-Za-z][A-Za-z0-9-]*(=[A-Za-z0-9_.,:/+-]+)?$/, 'an option like -p, -k or --name=value');
const configKey = word(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a config key (letters, digits, _)');
const configValue = word(/^[A-Za-z0-9_.+-]+$/, 'a config value (letters, digits, _ . + -)');
const gitRef = v.pipe(word(/^[A-Za-z0-9][A-Za-z0-9_./-]*$/, 'a git tag or branch (letters, digits, _ . / -)'), v.check((ref) => !ref.includes('..'), 'must not contain ".."'));
const repository = word(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a day-clone repository name (letters, digits, _ . -)');
const amount = v.pipe(v.number(), v.finite(), v.minValue(0, 'must not be negative'));
const names = v.array(identifier);

const PipelineSchema = v.strictObject({
  id: identifier,
  title: text(100),
  description: text(1000),
  aliases: names,
  dy_r: v.strictObject({
    targets: v.pipe(v.array(target), v.minLength(1, 'must name at least one target')),
    options: v.array(option),
    jobs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(10_000))),
    config: v.optional(v.record(configKey, v.pipe(v.array(configValue), v.minLength(1, 'must have at least one value')))),
  }),
  genome_builds: v.pipe(names, v.minLength(1, 'must name at least one build')),
  day_clone: v.strictObject({ tag: gitRef, repository: v.optional(repository) }),
  cost: v.strictObject({ vcpu_hours_per_sample: amount }),
});

export const PipelineCatalogueSchema = v.strictObject({
  version: word(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/, 'a version of at most 32 letters, digits, _ . -'),
  genome_builds: v.pipe(v.array(v.strictObject({ id: identifier, aliases: names })), v.minLength(1, 'must list at least one build')),
  genome_hints: v.optional(v.record(identifier, text(300))),
  cost_model: v.strictObject({
    vcpu_hour_usd: v.strictObject({ urgent: amount, normal: amount, low: amount }),
    data_gb_per_sample: amount,
    s3_usd_per_gb_month: amount,
    fsx_usd_per_gb_month: amount,
    storage_months: amount,
    egress_fraction: v.pipe(amount, v.maxValue(1, 'must be at most 1')),
    egress_usd_per_gb: amount,
    parallel_vcpus: v.pipe(amount, v.minValue(1, 'must be at least 1')),
  }),
  pipelines: v.pipe(v.array(PipelineSchema), v.minLength(1, 'must list at least one pipeline')),
});

/** Names two entries share (case-insensitively), each reported at its second use. */
function duplicates(entries: readonly { id: string; aliases: readonly string[] }[], where: string): FieldError[] {
  const seen = new Map<string, string>();
  const problems: FieldError[] = [];
  entries.forEach((entry, index) =>
    [entry.id, ...entry.aliases].forEach((name, position) => {
      const field = position === 0 ? `${where}[${index}].id` : `${where}[${index}].aliases[${position - 1}]`;
      const first = seen.get(name.toLowerCase());
      if (first) problems.push({ field, message: `"${name}" is already used by ${first}` });
      else seen.set(name.toLowerCase(), field);
    }),
  );
  return problems;
}

/** A valid catalogue, or every problem with where it is. */
export function checkPipelineCatalogue(input: unknown): { readonly catalogue: PipelineCatalogue } | { readonly problems: readonly FieldError[] } {
  const parsed = v.safeParse(PipelineCatalogueSchema, input, { abortEarly: false });
  if (!parsed.success) return { problems: fieldErrors(parsed.issues) };
  const catalogue = parsed.output;
  const builds = new Set(catalogue.genome_builds.map((build) => build.id));
  const problems = [
    ...duplicates(catalogue.pipelines, 'pipelines'),
    ...duplicates(catalogue.genome_builds, 'genome_builds'),
    ...catalogue.pipelines.flatMap((pipeline, index) =>
      pipeline.genome_builds.flatMap((build, position) => (builds.has(build) ? [] : [{ field: `pipelines[${index}].genome_builds[${position}]`, message: `"${build}" is not in genome_builds` }])),
    ),
  ];
  return problems.length > 0 ? { problems } : { catalogue };
}
