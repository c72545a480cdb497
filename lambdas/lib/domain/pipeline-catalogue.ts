/**
 * The pipeline catalogue: what a workset may run, as data reviewed like code. Registration renders
 * `daylily_work.yaml` from it (domain/pipeline-commands.ts), the pipelines routes list it, the
 * estimate prices it. An operator may replace it whole with a JSON file of the same shape
 * (DAYLILY_PIPELINE_CATALOGUE, docs/pipelines.md); bump `version` with every change, since
 * `daylily_info.yaml` records the version a workset was registered under.
 *
 * Sources of the facts below:
 * - `dy-r` targets and `--config`: daylily-ursa, `daylib/workset_integration.py`,
 *   `PIPELINE_DY_R_COMMANDS` (`-p -k -j 200` and the config lists are copied from there).
 * - Genome builds: daylily-omics-analysis supports `b37`, `hg38` and `hg38_broad` only
 *   (`bin/day_set_genome_build`). GRCh38 is hg38 and GRCh37 is b37; hg19 is *not* b37 (its
 *   contigs are chr-prefixed), so it is refused with that hint rather than mapped. The build is
 *   chosen on the head node by `dy-a <profile> <build>` in the monitor's run prefix.
 * - `day-clone -d <destination> -t <git tag or branch> [--repository <name>]`. No release tag of
 *   daylily-omics-analysis was verified for this version, so it clones `main`, as the reference
 *   template did (`-t main`): an operator pins a release tag with an override catalogue.
 * - Cost inputs: vCPU-hours per sample at 30x from daylily-ursa (test_help 0.1, germline_wgs_snv
 *   8, snv_sv 12, kitchensink 16); $/vCPU-h by priority, 50 GB per sample and the storage, FSx and
 *   egress prices from the Python `POST /api/estimate-cost` (`workset_api.py:621-721`).
 */

/** The `dy-r` arguments: targets, then options, `-j`, then `--config key=["value",…]`. */
export interface DyRCommand {
  /** Snakemake targets, in order. */
  readonly targets: readonly string[];
  /** Snakemake options after the targets (`-p` prints commands, `-k` keeps going after a failure). */
  readonly options: readonly string[];
  /** `-j`: jobs at once (absent: none given). */
  readonly jobs?: number;
  /** `--config`, one `key=["value",…]` per key, in order. */
  readonly config?: Readonly<Record<string, readonly string[]>>;
}

/** How a pipeline runs: all registration needs of it. */
export interface PipelineRun {
  /** The `pipeline_type` a workset records. */
  readonly id: string;
  /** Other names a request may send (matched without regard to case, like the id). */
  readonly aliases: readonly string[];
  readonly dy_r: DyRCommand;
  /** Genome build ids (of the catalogue's `genome_builds`) the pipeline runs on. */
  readonly genome_builds: readonly string[];
  /** `day-clone -t <tag>` (and `--repository` when set). */
  readonly day_clone: { readonly tag: string; readonly repository?: string };
}

/** How a pipeline is described and priced: what the catalogue routes and the estimate add. */
export interface PipelineAbout {
  readonly title: string;
  readonly description: string;
  readonly cost: { readonly vcpu_hours_per_sample: number };
}

export interface PipelineDefinition extends PipelineRun, PipelineAbout {}

export interface GenomeBuildDefinition {
  readonly id: string;
  readonly aliases: readonly string[];
}

/** The estimate's prices and assumptions (domain/cost-estimate.ts). */
export interface CostModel {
  /** $ per vCPU-hour by priority (urgent runs on demand, low waits for cheap spot capacity). */
  readonly vcpu_hour_usd: { readonly urgent: number; readonly normal: number; readonly low: number };
  /** Data per sample at 30x when the request gives no `data_size_gb` (scaled by coverage). */
  readonly data_gb_per_sample: number;
  readonly s3_usd_per_gb_month: number;
  readonly fsx_usd_per_gb_month: number;
  /** How long the data stays in S3 and on FSx, in months. */
  readonly storage_months: number;
  /** Share of the data exported out of the region, and its price. */
  readonly egress_fraction: number;
  readonly egress_usd_per_gb: number;
  /** vCPUs the duration estimate assumes busy for the whole run. */
  readonly parallel_vcpus: number;
}

/** The catalogue as registration reads it. */
export interface RunCatalogue {
  readonly version: string;
  readonly genome_builds: readonly GenomeBuildDefinition[];
  /** Names that look like a build but are none, with the reason a request gets. */
  readonly genome_hints?: Readonly<Record<string, string>>;
  readonly pipelines: readonly PipelineRun[];
}

/** The whole catalogue: the shape of an operator's file too (schemas/catalogue-schema.ts). */
export interface PipelineCatalogue extends RunCatalogue {
  readonly cost_model: CostModel;
  readonly pipelines: readonly PipelineDefinition[];
}

// The run facts first: the registration bundle carries only these (BUILT_IN_RUNS); the
// descriptions and prices below join them in `builtInCatalogue()` for the other routes.

const BUILDS = ['b37', 'hg38', 'hg38_broad'];
const DAY_CLONE = { tag: 'main' };
const SNV_CONFIG = { aligners: ['bwa2a'], dedupers: ['dppl'], snv_callers: ['deep19'] };
const SV_CONFIG = { ...SNV_CONFIG, sv_callers: ['tiddit', 'manta'] };
const RUN = ['-p', '-k'];
const SNV = ['produce_snv_concordances', 'produce_alignstats'];
const SV = ['produce_tiddit', 'produce_manta'];

export const BUILT_IN_RUNS: RunCatalogue = {
  version: '1',
  genome_builds: [
    { id: 'b37', aliases: ['GRCh37'] },
    { id: 'hg38', aliases: ['GRCh38'] },
    { id: 'hg38_broad', aliases: [] },
  ],
  genome_hints: { hg19: 'hg19 is not b37: its contigs are chr-prefixed' },
  pipelines: [
    { id: 'test_help', aliases: [], dy_r: { targets: ['help'], options: ['-p'] }, genome_builds: BUILDS, day_clone: DAY_CLONE },
    { id: 'germline_wgs_snv', aliases: ['germline', 'snv'], dy_r: { targets: SNV, options: RUN, jobs: 200, config: SNV_CONFIG }, genome_builds: BUILDS, day_clone: DAY_CLONE },
    { id: 'germline_wgs_snv_sv', aliases: ['sv'], dy_r: { targets: [...SNV, ...SV], options: RUN, jobs: 200, config: SV_CONFIG }, genome_builds: BUILDS, day_clone: DAY_CLONE },
    {
      id: 'germline_wgs_kitchensink',
      aliases: ['wgs'],
      dy_r: { targets: ['produce_snv_concordances', 'produce_multiqc_final_wgs', 'produce_alignstats', ...SV], options: RUN, jobs: 200, config: SV_CONFIG },
      genome_builds: BUILDS,
      day_clone: DAY_CLONE,
    },
  ],
};

const ABOUT: Readonly<Record<string, PipelineAbout>> = {
  test_help: {
    title: 'Smoke test',
    description: "Runs Snakemake's help instead of an analysis: checks the cluster, the clone and the monitor at almost no cost.",
    cost: { vcpu_hours_per_sample: 0.1 },
  },
  germline_wgs_snv: {
    title: 'Germline WGS: small variants',
    description: 'Alignment (bwa2a), duplicate marking (dppl), SNV calling (deep19), SNV concordance and alignment statistics.',
    cost: { vcpu_hours_per_sample: 8 },
  },
  germline_wgs_snv_sv: {
    title: 'Germline WGS: small and structural variants',
    description: 'germline_wgs_snv plus structural variant calling (tiddit, manta).',
    cost: { vcpu_hours_per_sample: 12 },
  },
  germline_wgs_kitchensink: {
    title: 'Germline WGS: everything',
    description: 'germline_wgs_snv_sv plus the final MultiQC report.',
    cost: { vcpu_hours_per_sample: 16 },
  },
};

const COST_MODEL: CostModel = {
  vcpu_hour_usd: { urgent: 0.08, normal: 0.03, low: 0.015 },
  data_gb_per_sample: 50,
  s3_usd_per_gb_month: 0.023,
  fsx_usd_per_gb_month: 0.14,
  storage_months: 0.25,
  egress_fraction: 0.1,
  egress_usd_per_gb: 0.09,
  parallel_vcpus: 16,
};

/** The built-in catalogue, whole. */
export function builtInCatalogue(): PipelineCatalogue {
  return { ...BUILT_IN_RUNS, cost_model: COST_MODEL, pipelines: BUILT_IN_RUNS.pipelines.map((run) => ({ ...run, ...ABOUT[run.id]! })) };
}
