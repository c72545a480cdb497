/**
 * What a workset may cost, from the catalogue's cost model (domain/pipeline-catalogue.ts) and
 * nothing else: no prices are looked up. docs/pipelines.md documents the model; every answer
 * carries the assumptions it was computed with.
 *
 *   coverage factor = coverage / 30
 *   vCPU-hours      = the pipeline's vCPU-hours per sample × samples × coverage factor
 *   compute         = vCPU-hours × $/vCPU-hour of the priority
 *   data (GB)       = data_size_gb, else data GB per sample × samples × coverage factor
 *   S3, FSx         = data × $/GB-month × months stored (each GB charged once per service)
 *   transfer        = data × share exported × $/GB
 *   total           = the sum of the components as rounded (so they add up)
 *
 * Unlike the Python estimate, priority sets the vCPU price only (no second multiplier on every
 * component), and storage is not multiplied again by the per-sample size.
 */
import type { CostModel, PipelineDefinition } from './pipeline-catalogue.ts';
import type { Priority } from './workset.ts';

export interface CostInputs {
  readonly sample_count: number;
  readonly estimated_coverage: number;
  readonly priority: Priority;
  /** Total data to stage, GB; absent: the model's per-sample size. */
  readonly data_size_gb?: number;
}

export interface CostEstimate {
  readonly pipeline_type: string;
  readonly catalogue_version: string;
  readonly sample_count: number;
  readonly estimated_coverage: number;
  readonly priority: Priority;
  readonly data_size_gb: number;
  readonly vcpu_hours: number;
  readonly estimated_duration_hours: number;
  readonly estimated_cost_usd: number;
  readonly cost_breakdown_usd: { readonly compute: number; readonly s3_storage: number; readonly fsx_storage: number; readonly transfer: number };
  readonly assumptions: readonly string[];
}

/** Rounded half up in decimal (0.575 → 0.58), not in binary (0.575 × 100 is 57.4999…). */
const round = (value: number, digits: number) => {
  const shifted = Number(`${value}e${digits}`); // NaN for a value JavaScript writes as 1e-7
  return Math.round(Number.isNaN(shifted) ? value * 10 ** digits : shifted) / 10 ** digits;
};
const cents = (usd: number) => round(usd, 2);

export function estimateCost(model: CostModel, pipeline: PipelineDefinition, catalogueVersion: string, inputs: CostInputs): CostEstimate {
  const { sample_count: samples, estimated_coverage: coverage, priority } = inputs;
  const factor = coverage / 30;
  const vcpuHours = pipeline.cost.vcpu_hours_per_sample * samples * factor;
  const rate = model.vcpu_hour_usd[priority];
  const dataGb = inputs.data_size_gb ?? model.data_gb_per_sample * samples * factor;
  const breakdown = {
    compute: cents(vcpuHours * rate),
    s3_storage: cents(dataGb * model.s3_usd_per_gb_month * model.storage_months),
    fsx_storage: cents(dataGb * model.fsx_usd_per_gb_month * model.storage_months),
    transfer: cents(dataGb * model.egress_fraction * model.egress_usd_per_gb),
  };
  return {
    pipeline_type: pipeline.id,
    catalogue_version: catalogueVersion,
    sample_count: samples,
    estimated_coverage: coverage,
    priority,
    data_size_gb: round(dataGb, 1),
    vcpu_hours: cents(vcpuHours),
    estimated_duration_hours: round(vcpuHours / model.parallel_vcpus, 1),
    estimated_cost_usd: cents(breakdown.compute + breakdown.s3_storage + breakdown.fsx_storage + breakdown.transfer),
    cost_breakdown_usd: breakdown,
    assumptions: [
      `${pipeline.id} takes ${pipeline.cost.vcpu_hours_per_sample} vCPU-hours per sample at 30x; coverage ${coverage}x scales it by ${cents(factor)}.`,
      `Compute at $${rate} per vCPU-hour (${priority} priority); no other multiplier for priority.`,
      inputs.data_size_gb === undefined
        ? `Data: ${model.data_gb_per_sample} GB per sample at 30x, scaled by coverage (send data_size_gb for your own figure).`
        : `Data: ${inputs.data_size_gb} GB, as given.`,
      `Each GB is stored once in S3 ($${model.s3_usd_per_gb_month}/GB-month) and once on FSx for Lustre ($${model.fsx_usd_per_gb_month}/GB-month), for ${model.storage_months} months.`,
      `${round(model.egress_fraction * 100, 1)}% of the data leaves the region at $${model.egress_usd_per_gb}/GB.`,
      `Duration as if ${model.parallel_vcpus} vCPUs were busy for the whole run.`,
      `Pipeline catalogue ${catalogueVersion}; an estimate, not a quote: spot prices, cluster size and the data itself change the real cost.`,
    ],
  };
}
