/** `pipelines [id]` and `estimate`: the pipeline catalogue and the cost model (docs/pipelines.md). */
import { Command, Option } from 'commander';
import { ROUTES } from '../api-routes.ts';
import type { Define } from '../command-context.ts';
import { EXIT } from '../exit-codes.ts';
import { positiveNumber, wholeNumber } from '../option-values.ts';

interface Pipeline {
  readonly id: string;
  readonly title: string;
  readonly aliases: readonly string[];
  readonly genome_builds: readonly string[];
  readonly dy_r: string;
  readonly day_clone: { readonly tag: string };
  readonly cost: { readonly vcpu_hours_per_sample: number };
  readonly catalogue_version: string;
}

interface Catalogue {
  readonly catalogue_version: string;
  readonly pipelines: readonly Pipeline[];
}

export interface CostEstimate {
  readonly pipeline_type: string;
  readonly sample_count: number;
  readonly estimated_coverage: number;
  readonly priority: string;
  readonly data_size_gb: number;
  readonly vcpu_hours: number;
  readonly estimated_duration_hours: number;
  readonly estimated_cost_usd: number;
  readonly cost_breakdown_usd: Readonly<Record<string, number>>;
  readonly assumptions: readonly string[];
}

export const PRIORITY_OPTION = (): Option => new Option('--priority <priority>', 'urgent, normal or low').choices(['urgent', 'normal', 'low']);

const usd = (value: number): string => `$${value.toFixed(2)}`;

/** An estimate as label–value lines (also the preview's). */
export function estimateFields(estimate: CostEstimate): Array<readonly [string, string | number]> {
  return [
    ['pipeline', estimate.pipeline_type],
    ['samples', estimate.sample_count],
    ['coverage', `${estimate.estimated_coverage}x`],
    ['priority', estimate.priority],
    ['data', `${estimate.data_size_gb} GB`],
    ['vCPU-hours', estimate.vcpu_hours],
    ['duration', `${estimate.estimated_duration_hours} h`],
    ['cost', usd(estimate.estimated_cost_usd)],
    ...Object.entries(estimate.cost_breakdown_usd).map(([part, value]) => [`  ${part}`, usd(value)] as const),
  ];
}

export function registerCatalogueCommands(root: Command, define: Define): void {
  define(
    root.command('pipelines').argument('[pipeline_id]', 'one pipeline (an id or alias): its command and builds').description('The pipelines this API runs (the catalogue).'),
    async ({ client, out }, _options, pipelineId) => {
      if (pipelineId) {
        const { body: pipeline } = await client.call<Pipeline>(ROUTES.pipeline, { parameters: { pipeline_id: pipelineId } });
        if (out.json) out.data(pipeline);
        else {
          out.fields([
            ['id', pipeline.id],
            ['title', pipeline.title],
            ['aliases', pipeline.aliases.join(', ')],
            ['genome builds', pipeline.genome_builds.join(', ')],
            ['dy-r', pipeline.dy_r],
            ['day-clone tag', pipeline.day_clone.tag],
            ['vCPU-h/sample', pipeline.cost.vcpu_hours_per_sample],
            ['catalogue', pipeline.catalogue_version],
          ]);
        }
        return EXIT.ok;
      }
      const { body: catalogue } = await client.call<Catalogue>(ROUTES.pipelines);
      if (out.json) out.data(catalogue);
      else {
        out.table(
          [
            { header: 'PIPELINE', value: (p: Pipeline) => p.id },
            { header: 'ALIASES', value: (p: Pipeline) => p.aliases.join(',') },
            { header: 'GENOMES', value: (p: Pipeline) => p.genome_builds.join(',') },
            { header: 'TAG', value: (p: Pipeline) => p.day_clone.tag },
            { header: 'TITLE', value: (p: Pipeline) => p.title },
          ],
          catalogue.pipelines,
        );
        out.note(`catalogue ${catalogue.catalogue_version}`);
      }
      return EXIT.ok;
    },
  );

  interface EstimateOptions {
    readonly pipeline: string;
    readonly genome?: string;
    readonly samples?: number;
    readonly coverage?: number;
    readonly priority?: string;
    readonly dataSizeGb?: number;
  }
  define<EstimateOptions>(
    root
      .command('estimate')
      .description('What a workset would cost (POST /api/estimate-cost).')
      .requiredOption('--pipeline <pipeline>', 'a pipeline id or alias (daylily-workset pipelines)')
      .option('--genome <build>', 'a genome build or alias: checked against the pipeline')
      .option('--samples <count>', 'samples (default 1)', wholeNumber(1, 1_000_000))
      .option('--coverage <x>', 'estimated coverage (default 30)', positiveNumber)
      .addOption(PRIORITY_OPTION())
      .option('--data-size-gb <gb>', 'total GB to stage (default: the model\'s size per sample)', positiveNumber),
    async ({ client, out }, options) => {
      const body = {
        pipeline_type: options.pipeline,
        ...(options.genome ? { reference_genome: options.genome } : {}),
        ...(options.samples !== undefined ? { sample_count: options.samples } : {}),
        ...(options.coverage !== undefined ? { estimated_coverage: options.coverage } : {}),
        ...(options.priority ? { priority: options.priority } : {}),
        ...(options.dataSizeGb !== undefined ? { data_size_gb: options.dataSizeGb } : {}),
      };
      const { body: estimate } = await client.call<CostEstimate>(ROUTES.estimate, { body });
      if (out.json) out.data(estimate);
      else {
        out.fields(estimateFields(estimate));
        for (const assumption of estimate.assumptions) out.note(`- ${assumption}`);
      }
      return EXIT.ok;
    },
  );
}
