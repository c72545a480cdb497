/** What the catalogue routes read: a pipeline's id, and an estimate's inputs. */
import * as v from 'valibot';
import { PRIORITIES } from '../domain/workset.ts';
import type { RequestContract } from './contract.ts';
import { identifier } from './fields.ts';

/** GET /api/pipelines/{pipeline_id}: an id or alias; one of the wrong shape names no pipeline (404). */
export const GetPipelineContract = { path: { pipeline_id: { schema: identifier, notFoundAs: 'Pipeline' } } } satisfies RequestContract;

/** Samples an estimate may price: well beyond one request's limit (an upload may carry 50,000). */
export const MAX_ESTIMATE_SAMPLES = 1_000_000;

export const EstimateCostRequest = v.strictObject({
  pipeline_type: identifier,
  /** Checked against the pipeline's builds when given; it does not change the price. */
  reference_genome: v.optional(identifier),
  sample_count: v.optional(v.pipe(v.number(), v.integer('must be a whole number'), v.minValue(1, 'must be at least 1'), v.maxValue(MAX_ESTIMATE_SAMPLES, `must be at most ${MAX_ESTIMATE_SAMPLES}`)), 1),
  estimated_coverage: v.optional(v.pipe(v.number(), v.gtValue(0, 'must be more than 0'), v.maxValue(1000, 'must be at most 1000')), 30),
  priority: v.optional(v.picklist(PRIORITIES, `must be one of ${PRIORITIES.join(', ')}`), 'normal'),
  /** Total GB to stage; absent or 0: the model's size per sample. */
  data_size_gb: v.optional(v.pipe(v.number(), v.minValue(0, 'must not be negative'), v.maxValue(10_000_000, 'must be at most 10,000,000'))),
});

/** POST /api/estimate-cost */
export const EstimateCostContract = { body: { schema: EstimateCostRequest, required: true } } satisfies RequestContract;
