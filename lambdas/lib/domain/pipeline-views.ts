/** The catalogue as the pipelines routes answer it: each entry with the `dy-r` it renders. */
import type { PipelineCatalogue, PipelineDefinition } from './pipeline-catalogue.ts';
import { renderDyR } from './pipeline-commands.ts';

export interface PipelineView {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly aliases: readonly string[];
  readonly genome_builds: readonly string[];
  /** The `dy-r` value daylily_work.yaml gets (after the monitor's run prefix). */
  readonly dy_r: string;
  readonly targets: readonly string[];
  readonly config: Readonly<Record<string, readonly string[]>>;
  /** `-j`, unless the pipeline runs without one. */
  readonly default_jobs: number | null;
  readonly day_clone: { readonly tag: string; readonly repository: string | null };
  readonly cost: { readonly vcpu_hours_per_sample: number };
  readonly catalogue_version: string;
}

export interface CatalogueView {
  readonly catalogue_version: string;
  readonly genome_builds: readonly { readonly id: string; readonly aliases: readonly string[] }[];
  readonly pipelines: readonly PipelineView[];
}

export function toPipelineView(pipeline: PipelineDefinition, catalogueVersion: string): PipelineView {
  return {
    id: pipeline.id,
    title: pipeline.title,
    description: pipeline.description,
    aliases: pipeline.aliases,
    genome_builds: pipeline.genome_builds,
    dy_r: renderDyR(pipeline.dy_r),
    targets: pipeline.dy_r.targets,
    config: pipeline.dy_r.config ?? {},
    default_jobs: pipeline.dy_r.jobs ?? null,
    day_clone: { tag: pipeline.day_clone.tag, repository: pipeline.day_clone.repository ?? null },
    cost: { vcpu_hours_per_sample: pipeline.cost.vcpu_hours_per_sample },
    catalogue_version: catalogueVersion,
  };
}

export function toCatalogueView(catalogue: PipelineCatalogue): CatalogueView {
  return {
    catalogue_version: catalogue.version,
    genome_builds: catalogue.genome_builds.map(({ id, aliases }) => ({ id, aliases })),
    pipelines: catalogue.pipelines.map((pipeline) => toPipelineView(pipeline, catalogue.version)),
  };
}
