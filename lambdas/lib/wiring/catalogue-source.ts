/**
 * The catalogue of the running function: the built-in one, or the operator's file named by
 * DAYLILY_PIPELINE_CATALOGUE, read once per cold start. The file is checked whole where the
 * variable is set — by the stack at synth and by the local server at start-up
 * (config/catalogue-file.ts) — so the check stays out of the functions' bundles; whatever a
 * file holds, the rendered commands are checked for shell metacharacters before anything is
 * written (domain/pipeline-commands.ts).
 */
import { readFileSync } from 'node:fs';
import { currentCoreSettings } from '../config/current.ts';
import { ENV } from '../config/settings.ts';
import { BUILT_IN_RUNS, builtInCatalogue, type PipelineCatalogue, type RunCatalogue } from '../domain/pipeline-catalogue.ts';
import { NotConfiguredError } from '../errors.ts';

let operators: PipelineCatalogue | undefined;

/** The operator's catalogue file, if one is configured; a NotConfiguredError (503) when it cannot be read. */
function operatorCatalogue(): PipelineCatalogue | undefined {
  const file = currentCoreSettings().pipelineCatalogue;
  if (!file) return undefined;
  try {
    operators ??= JSON.parse(readFileSync(file, 'utf8')) as PipelineCatalogue;
  } catch (error) {
    throw new NotConfiguredError(`Cannot read the pipeline catalogue ${ENV.pipelineCatalogue}=${file}: ${(error as Error).message}`);
  }
  return operators;
}

/** What registration reads: how each pipeline runs (the built-in descriptions stay out of its bundle). */
export function runCatalogue(): RunCatalogue {
  return operatorCatalogue() ?? BUILT_IN_RUNS;
}

let builtIn: PipelineCatalogue | undefined;

/** The whole catalogue: the pipelines routes, preview and the estimate. */
export function pipelineCatalogue(): PipelineCatalogue {
  return operatorCatalogue() ?? (builtIn ??= builtInCatalogue());
}
