/**
 * The pipeline catalogue a process runs with: the built-in one (domain/pipeline-catalogue.ts), or
 * the operator's JSON file named by DAYLILY_PIPELINE_CATALOGUE, checked whole when it is loaded
 * (the local server loads it at start-up and refuses to start on a problem; a function, at its
 * cold start, answers 503 naming the problems on the routes that need it). Only the functions
 * that use the catalogue import this module.
 */
import { readFileSync } from 'node:fs';
import { builtInCatalogue, type PipelineCatalogue } from '../domain/pipeline-catalogue.ts';
import { checkPipelineCatalogue } from '../schemas/catalogue-schema.ts';
import { CONFIG_DOCS, ENV } from './settings.ts';

export type CatalogueSetting = { readonly ok: true; readonly catalogue: PipelineCatalogue } | { readonly ok: false; readonly problem: string };

const MAX_PROBLEMS = 10;

export function loadPipelineCatalogue(file: string | undefined): CatalogueSetting {
  if (file === undefined) return { ok: true, catalogue: builtInCatalogue() };
  const named = `The pipeline catalogue ${ENV.pipelineCatalogue}=${file}`;
  const fix = `Fix the file or unset ${ENV.pipelineCatalogue} to use the built-in catalogue; see docs/pipelines.md and ${CONFIG_DOCS}.`;
  let input: unknown;
  try {
    input = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return { ok: false, problem: `${named} could not be read as JSON (${reason}). ${fix}` };
  }
  const checked = checkPipelineCatalogue(input);
  if ('catalogue' in checked) return { ok: true, catalogue: checked.catalogue };
  const listed = checked.problems.slice(0, MAX_PROBLEMS).map((problem) => `${problem.field} ${problem.message}`);
  const more = checked.problems.length > MAX_PROBLEMS ? `; and ${checked.problems.length - MAX_PROBLEMS} more` : '';
  return { ok: false, problem: `${named} is invalid: ${listed.join('; ')}${more}. ${fix}` };
}
