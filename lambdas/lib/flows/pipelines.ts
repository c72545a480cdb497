/**
 * The catalogue routes: what a customer may run, and what it may cost. Pure reads of the
 * catalogue the function was wired with; nothing is stored.
 */
import { estimateCost, type CostEstimate, type CostInputs } from '../domain/cost-estimate.ts';
import type { PipelineCatalogue } from '../domain/pipeline-catalogue.ts';
import { findPipeline, resolveGenomeBuild, resolvePipeline } from '../domain/pipeline-commands.ts';
import { toCatalogueView, toPipelineView, type CatalogueView, type PipelineView } from '../domain/pipeline-views.ts';
import { NotFoundError, UnprocessableInputError, type FieldError } from '../errors.ts';
import { invalidInput } from '../schemas/parse.ts';

export function listPipelines(catalogue: PipelineCatalogue): CatalogueView {
  return toCatalogueView(catalogue);
}

/** One pipeline by its id or an alias (any case). */
export function getPipeline(catalogue: PipelineCatalogue, name: string): PipelineView {
  const pipeline = findPipeline(catalogue, name);
  if (!pipeline) throw new NotFoundError(`Pipeline ${name} is not in catalogue ${catalogue.version}.`);
  return toPipelineView(pipeline, catalogue.version);
}

export interface EstimateRequest extends Omit<CostInputs, 'data_size_gb'> {
  readonly pipeline_type: string;
  readonly reference_genome?: string | undefined;
  /** 0 or absent: the model's per-sample size (the Python API sent 0 for "unknown"). */
  readonly data_size_gb?: number | undefined;
}

/** The estimate for a pipeline (id or alias); an unknown pipeline or build is a 422 listing the allowed ones. */
export function estimateWorksetCost(catalogue: PipelineCatalogue, request: EstimateRequest): CostEstimate {
  const problems: FieldError[] = [];
  const pipeline = resolvePipeline(catalogue, request.pipeline_type);
  if ('problem' in pipeline) problems.push({ field: 'pipeline_type', message: pipeline.problem });
  if (request.reference_genome !== undefined) {
    const build = resolveGenomeBuild(catalogue, request.reference_genome, 'value' in pipeline ? pipeline.value : undefined);
    if ('problem' in build) problems.push({ field: 'reference_genome', message: build.problem });
  }
  if (problems.length > 0 || 'problem' in pipeline) throw invalidInput('estimate request', problems, UnprocessableInputError);
  const { sample_count, estimated_coverage, priority, data_size_gb } = request;
  return estimateCost(catalogue.cost_model, pipeline.value, catalogue.version, {
    sample_count,
    estimated_coverage,
    priority,
    ...(data_size_gb ? { data_size_gb } : {}),
  });
}
