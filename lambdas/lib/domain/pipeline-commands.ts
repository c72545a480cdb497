/**
 * From a request's names to what the monitor runs: the catalogue entry a `pipeline_type` names,
 * the genome build a `reference_genome` names, and the `day-clone` / `dy-r` arguments.
 *
 * The monitor runs `<its run prefix> + dy-r` (and the `day-clone` arguments) through `bash -lc` on
 * the head node. Catalogue tokens are restricted to characters no shell interprets (checked when
 * an override is loaded, schemas/catalogue-schema.ts), and the rendered arguments are checked
 * once more here against the characters daylily-ursa's monitor refuses.
 */
import type { DyRCommand, PipelineRun, RunCatalogue } from './pipeline-catalogue.ts';

/** What daylily-ursa's monitor refuses in a run command: `; | & $ \` > < !` and line breaks. */
export const SHELL_METACHARACTERS = /[;|&$`\\><!\n\r]/;

/** A resolved name, or why it resolves to nothing (a problem of the field that sent it). */
export type Resolved<T> = { readonly value: T } | { readonly problem: string };

interface Named {
  readonly id: string;
  readonly aliases: readonly string[];
}

/** The entry whose id or alias is `name`, without regard to case. */
const named = <T extends Named>(entries: readonly T[], name: string): T | undefined =>
  entries.find((entry) => [entry.id, ...entry.aliases].some((candidate) => candidate.toLowerCase() === name.toLowerCase()));

/** `a, b (x, y)`: each id with its aliases, so a refusal lists everything a request may send. */
const choices = (entries: readonly Named[]) => entries.map((entry) => (entry.aliases.length ? `${entry.id} (${entry.aliases.join(', ')})` : entry.id)).join(', ');

export function findPipeline<C extends RunCatalogue>(catalogue: C, name: string): C['pipelines'][number] | undefined {
  return named(catalogue.pipelines, name);
}

export function resolvePipeline<C extends RunCatalogue>(catalogue: C, name: string): Resolved<C['pipelines'][number]> {
  const pipeline = findPipeline(catalogue, name);
  return pipeline ? { value: pipeline } : { problem: `is not a pipeline of catalogue ${catalogue.version}; one of: ${choices(catalogue.pipelines)}` };
}

/** The build id `name` names, if `pipeline` (when known) runs on it. */
export function resolveGenomeBuild(catalogue: RunCatalogue, name: string, pipeline?: PipelineRun): Resolved<string> {
  const build = named(catalogue.genome_builds, name)?.id;
  if (!build) {
    const hint = Object.entries(catalogue.genome_hints ?? {}).find(([hinted]) => hinted.toLowerCase() === name.toLowerCase())?.[1];
    return { problem: `is not a supported genome build${hint ? ` (${hint})` : ''}; one of: ${choices(catalogue.genome_builds)}` };
  }
  return !pipeline || pipeline.genome_builds.includes(build) ? { value: build } : { problem: `${build} is not a build ${pipeline.id} runs on; one of: ${pipeline.genome_builds.join(', ')}` };
}

/** `targets options -j N --config key=["v",…] …`: the `dy-r` value of daylily_work.yaml. */
export function renderDyR(command: DyRCommand): string {
  const config = Object.entries(command.config ?? {}).map(([key, values]) => `${key}=${JSON.stringify(values)}`);
  return [...command.targets, ...command.options, ...(command.jobs === undefined ? [] : ['-j', String(command.jobs)]), ...(config.length ? ['--config', ...config] : [])].join(' ');
}

/** The two commands of a workset, checked: an unsafe one is a bug (the catalogue checks forbid it), never written. */
export function runCommands(pipeline: PipelineRun, worksetId: string): { readonly dayClone: string; readonly dyR: string } {
  const { tag, repository } = pipeline.day_clone;
  const commands = { dayClone: `-d ${worksetId} -t ${tag}${repository ? ` --repository ${repository}` : ''}`, dyR: renderDyR(pipeline.dy_r) };
  if (SHELL_METACHARACTERS.test(commands.dayClone + commands.dyR)) throw new Error(`pipeline ${pipeline.id}: unsafe commands`);
  return commands;
}
