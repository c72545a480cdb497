/** The catalogue's commands: what the monitor runs through `bash -lc` (domain/pipeline-commands.ts). */
import fc from 'fast-check';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { renderWorkYaml } from '../../lambdas/lib/domain/manifests.ts';
import { BUILT_IN_RUNS, builtInCatalogue } from '../../lambdas/lib/domain/pipeline-catalogue.ts';
import { findPipeline, renderDyR, resolveGenomeBuild, resolvePipeline, runCommands, SHELL_METACHARACTERS } from '../../lambdas/lib/domain/pipeline-commands.ts';
import { newWorksetId } from '../../lambdas/lib/domain/workset-id.ts';

/** daylily-ursa's `PIPELINE_DY_R_COMMANDS` (daylib/workset_integration.py), verbatim. */
const URSA = {
  germline_wgs_snv: 'produce_snv_concordances produce_alignstats -p -k -j 200 --config aligners=["bwa2a"] dedupers=["dppl"] snv_callers=["deep19"]',
  germline_wgs_snv_sv:
    'produce_snv_concordances produce_alignstats produce_tiddit produce_manta -p -k -j 200 --config aligners=["bwa2a"] dedupers=["dppl"] snv_callers=["deep19"] sv_callers=["tiddit","manta"]',
  germline_wgs_kitchensink:
    'produce_snv_concordances produce_multiqc_final_wgs produce_alignstats produce_tiddit produce_manta -p -k -j 200 --config aligners=["bwa2a"] dedupers=["dppl"] snv_callers=["deep19"] sv_callers=["tiddit","manta"]',
} as const;

describe('the built-in catalogue', () => {
  it.each(Object.entries(URSA))("%s renders daylily-ursa's dy-r exactly", (id, command) => {
    expect(renderDyR(findPipeline(BUILT_IN_RUNS, id)!.dy_r)).toBe(command);
  });

  it('renders test_help as Snakemake help (ursa wrote -p help; Snakemake reads targets and options in any order)', () => {
    expect(renderDyR(findPipeline(BUILT_IN_RUNS, 'test_help')!.dy_r)).toBe('help -p');
  });

  it.each([
    ['germline', 'germline_wgs_snv'],
    ['snv', 'germline_wgs_snv'],
    ['SNV', 'germline_wgs_snv'],
    ['sv', 'germline_wgs_snv_sv'],
    ['wgs', 'germline_wgs_kitchensink'],
    ['Germline_WGS_SNV', 'germline_wgs_snv'],
  ])('resolves %s to %s', (name, id) => {
    expect(resolvePipeline(BUILT_IN_RUNS, name)).toEqual({ value: findPipeline(BUILT_IN_RUNS, id) });
  });

  it.each([
    ['GRCh38', 'hg38'],
    ['grch38', 'hg38'],
    ['hg38', 'hg38'],
    ['GRCh37', 'b37'],
    ['b37', 'b37'],
    ['hg38_broad', 'hg38_broad'],
  ])('resolves the genome %s to the build %s', (name, build) => {
    expect(resolveGenomeBuild(BUILT_IN_RUNS, name)).toEqual({ value: build });
  });

  it('refuses hg19 with the reason (its contigs are chr-prefixed, so it is not b37)', () => {
    expect(resolveGenomeBuild(BUILT_IN_RUNS, 'hg19')).toEqual({ problem: expect.stringMatching(/hg19 is not b37.*one of: b37 \(GRCh37\), hg38 \(GRCh38\), hg38_broad$/) });
  });

  it("refuses a build the pipeline does not run on, listing the pipeline's", () => {
    const narrow = { ...findPipeline(BUILT_IN_RUNS, 'germline_wgs_snv')!, genome_builds: ['hg38'] };
    expect(resolveGenomeBuild(BUILT_IN_RUNS, 'b37', narrow)).toEqual({ problem: 'b37 is not a build germline_wgs_snv runs on; one of: hg38' });
  });

  it('is the same run facts in the registration view and the whole catalogue', () => {
    const whole = builtInCatalogue();
    expect(whole.pipelines.map(({ id, aliases, dy_r, genome_builds, day_clone }) => ({ id, aliases, dy_r, genome_builds, day_clone }))).toEqual(BUILT_IN_RUNS.pipelines);
    expect(whole.pipelines.every((pipeline) => pipeline.title && pipeline.description && pipeline.cost.vcpu_hours_per_sample > 0)).toBe(true);
  });
});

describe('the commands the monitor runs', () => {
  const entries = BUILT_IN_RUNS.pipelines.map((pipeline) => [pipeline.id, pipeline] as const);

  it.each(entries)('%s: no shell metacharacter in day-clone or dy-r, whatever the workset is named', (_id, pipeline) => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), fc.stringMatching(/^[0-9a-f]{8}$/), (name, hex) => {
        const worksetId = newWorksetId(name, hex);
        const { dayClone, dyR } = runCommands(pipeline, worksetId);
        expect(dayClone + dyR).not.toMatch(SHELL_METACHARACTERS);
        // Nor quotes, globs or comments: the id is [a-z0-9-] only.
        expect(dayClone).not.toMatch(/['"(){}*?#~]/);
        expect(dayClone).toBe(`-d ${worksetId} -t ${pipeline.day_clone.tag}`);
      }),
      { numRuns: 300 },
    );
  });

  it.each(entries)('%s: daylily_work.yaml carries the commands and the build unchanged, for any accepted genome name', (_id, pipeline) => {
    const names = BUILT_IN_RUNS.genome_builds.flatMap((build) => [build.id, ...build.aliases]).flatMap((name) => [name, name.toUpperCase(), name.toLowerCase()]);
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.string({ maxLength: 80 }), (genome, name) => {
        const build = resolveGenomeBuild(BUILT_IN_RUNS, genome, pipeline);
        expect(build).toHaveProperty('value');
        const record = { workset_id: newWorksetId(name, '0a1b2c3d'), export_uri: 's3://control/x/results/', genome_build: (build as { value: string }).value };
        const work = load(renderWorkYaml(record, { samples: [], pipeline, catalogue_version: '1', requested_pipeline_type: pipeline.id })) as Record<string, string>;
        expect(work['dy-r']).toBe(renderDyR(pipeline.dy_r));
        expect(work['day-clone']).toBe(`-d ${record.workset_id} -t main`);
        expect(work.genome_build).toBe(record.genome_build);
        expect(work['dy-r']).not.toMatch(SHELL_METACHARACTERS);
      }),
      { numRuns: 100 },
    );
  });

  it('refuses to render a command with a metacharacter: the last guard before the monitor', () => {
    const pipeline = { ...findPipeline(BUILT_IN_RUNS, 'test_help')!, dy_r: { targets: ['help;rm'], options: [] } };
    expect(() => runCommands(pipeline, 'x-0a1b2c3d')).toThrow(/unsafe commands/);
    const tag = { ...findPipeline(BUILT_IN_RUNS, 'test_help')!, day_clone: { tag: 'main$(id)' } };
    expect(() => runCommands(tag, 'x-0a1b2c3d')).toThrow(/unsafe commands/);
  });

  it('adds --repository to day-clone when the entry names one', () => {
    const pipeline = { ...findPipeline(BUILT_IN_RUNS, 'test_help')!, day_clone: { tag: 'v1.2.3', repository: 'daylily-omics-analysis' } };
    expect(runCommands(pipeline, 'x-0a1b2c3d').dayClone).toBe('-d x-0a1b2c3d -t v1.2.3 --repository daylily-omics-analysis');
  });
});
