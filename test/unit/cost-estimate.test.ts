/** The estimate's model (domain/cost-estimate.ts): documented in docs/pipelines.md, every input in its answer. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { estimateCost } from '../../lambdas/lib/domain/cost-estimate.ts';
import { builtInCatalogue } from '../../lambdas/lib/domain/pipeline-catalogue.ts';
import { findPipeline } from '../../lambdas/lib/domain/pipeline-commands.ts';
import { PRIORITIES } from '../../lambdas/lib/domain/workset.ts';

const catalogue = builtInCatalogue();
const estimate = (id: string, inputs: Partial<Parameters<typeof estimateCost>[3]> = {}) =>
  estimateCost(catalogue.cost_model, findPipeline(catalogue, id)!, catalogue.version, { sample_count: 1, estimated_coverage: 30, priority: 'normal', ...inputs });

describe('the cost estimate', () => {
  it('rounds half up in decimal: 0.575 is 0.58, not the 0.57 binary arithmetic gives', () => {
    expect(estimate('wgs', { data_size_gb: 100 }).cost_breakdown_usd.s3_storage).toBe(0.58);
  });

  it('test_help costs next to nothing: 0.1 vCPU-hours per sample', () => {
    expect(estimate('test_help')).toMatchObject({ vcpu_hours: 0.1, cost_breakdown_usd: { compute: 0 } });
  });

  it('adds up: the total is the sum of the components it shows, for any inputs', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...catalogue.pipelines.map((pipeline) => pipeline.id)),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.double({ min: 0.1, max: 1000, noNaN: true }),
        fc.constantFrom(...PRIORITIES),
        fc.option(fc.double({ min: 0.001, max: 10_000_000, noNaN: true }), { nil: undefined }),
        (id, samples, coverage, priority, data) => {
          const result = estimate(id, { sample_count: samples, estimated_coverage: coverage, priority, ...(data === undefined ? {} : { data_size_gb: data }) });
          const { compute, s3_storage, fsx_storage, transfer } = result.cost_breakdown_usd;
          expect(result.estimated_cost_usd).toBeCloseTo(compute + s3_storage + fsx_storage + transfer, 6);
          expect(Object.values(result.cost_breakdown_usd).every((usd) => usd >= 0 && Number.isFinite(usd))).toBe(true);
          expect(result.assumptions.length).toBeGreaterThan(5);
        },
      ),
    );
  });

  it('prices priority through the vCPU rate only: storage and transfer do not change with it', () => {
    const [urgent, low] = [estimate('sv', { priority: 'urgent' }), estimate('sv', { priority: 'low' })];
    expect({ ...urgent.cost_breakdown_usd, compute: 0 }).toEqual({ ...low.cost_breakdown_usd, compute: 0 });
    expect(urgent.cost_breakdown_usd.compute / low.cost_breakdown_usd.compute).toBeCloseTo(0.08 / 0.015, 1);
  });
});
