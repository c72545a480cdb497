/** An operator's catalogue file (config/catalogue-file.ts): checked whole, every problem named, or refused. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadPipelineCatalogue } from '../../lambdas/lib/config/catalogue-file.ts';
import { builtInCatalogue, type PipelineCatalogue } from '../../lambdas/lib/domain/pipeline-catalogue.ts';
import { runCommands, SHELL_METACHARACTERS } from '../../lambdas/lib/domain/pipeline-commands.ts';
import { checkPipelineCatalogue } from '../../lambdas/lib/schemas/catalogue-schema.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'daylily-catalogue-'));
let files = 0;
const fileWith = (content: unknown) => {
  const file = path.join(dir, `catalogue-${(files += 1)}.json`);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
};
const builtIn = builtInCatalogue();
const withPipeline = (change: Record<string, unknown>, index = 1): unknown => ({ ...builtIn, pipelines: builtIn.pipelines.map((pipeline, at) => (at === index ? { ...pipeline, ...change } : pipeline)) });
const problemsOf = (input: unknown) => {
  const checked = checkPipelineCatalogue(input);
  return 'problems' in checked ? checked.problems : [];
};

describe("an operator's pipeline catalogue", () => {
  it('is the built-in one when none is configured, and the built-in one passes the same checks', () => {
    expect(loadPipelineCatalogue(undefined)).toEqual({ ok: true, catalogue: builtIn });
    expect(checkPipelineCatalogue(JSON.parse(JSON.stringify(builtIn)))).toEqual({ catalogue: builtIn });
  });

  it('loads a valid file: a pinned release tag and a pipeline of its own', () => {
    const own = { ...builtIn.pipelines[0]!, id: 'exome_snv', aliases: ['wes'], title: 'Exome', day_clone: { tag: 'v0.7.2', repository: 'daylily-omics-analysis' } };
    const file = fileWith({ ...builtIn, version: '2026.03-lab', pipelines: [...builtIn.pipelines, own] });
    const loaded = loadPipelineCatalogue(file);
    expect(loaded.ok && loaded.catalogue.pipelines.map((pipeline) => pipeline.id)).toEqual(['test_help', 'germline_wgs_snv', 'germline_wgs_snv_sv', 'germline_wgs_kitchensink', 'exome_snv']);
  });

  it.each([
    ['a file that does not exist', path.join(dir, 'missing.json'), /could not be read as JSON \(ENOENT\)/],
    ['a file that is not JSON', fileWith('{ "version": '), /could not be read as JSON/],
  ])('refuses %s, naming the variable and the fix', (_what, file, problem) => {
    const loaded = loadPipelineCatalogue(file);
    expect(loaded.ok).toBe(false);
    expect(!loaded.ok && loaded.problem).toMatch(problem);
    expect(!loaded.ok && loaded.problem).toMatch(/DAYLILY_PIPELINE_CATALOGUE=.*unset DAYLILY_PIPELINE_CATALOGUE to use the built-in catalogue/);
  });

  it.each([
    ['a target with a semicolon', withPipeline({ dy_r: { targets: ['help;reboot'], options: [] } }), 'pipelines[1].dy_r.targets[0]'],
    ['an option with a dollar', withPipeline({ dy_r: { targets: ['help'], options: ['--x=$HOME'] } }), 'pipelines[1].dy_r.options[0]'],
    ['a config value with a backquote', withPipeline({ dy_r: { targets: ['help'], options: [], config: { aligners: ['`id`'] } } }), 'pipelines[1].dy_r.config.aligners[0]'],
    ['a config key with a space', withPipeline({ dy_r: { targets: ['help'], options: [], config: { 'a b': ['x'] } } }), 'pipelines[1].dy_r.config.a b'],
    ['a tag with a pipe', withPipeline({ day_clone: { tag: 'main|true' } }), 'pipelines[1].day_clone.tag'],
    ['a tag with ..', withPipeline({ day_clone: { tag: 'v1..2' } }), 'pipelines[1].day_clone.tag'],
    ['jobs that are not a count', withPipeline({ dy_r: { targets: ['help'], options: [], jobs: 0 } }), 'pipelines[1].dy_r.jobs'],
    ['no targets', withPipeline({ dy_r: { targets: [], options: [] } }), 'pipelines[1].dy_r.targets'],
    ['a negative cost', withPipeline({ cost: { vcpu_hours_per_sample: -1 } }), 'pipelines[1].cost.vcpu_hours_per_sample'],
    ['an unknown field', withPipeline({ colour: 'blue' }), 'pipelines[1].colour'],
    ['a build no genome_builds entry has', withPipeline({ genome_builds: ['hg38', 'hg19'] }), 'pipelines[1].genome_builds[1]'],
    ['an alias another pipeline uses', withPipeline({ aliases: ['SV'] }), 'pipelines[2].aliases[0]'],
    ['an id another pipeline uses', withPipeline({ id: 'test_help' }), 'pipelines[1].id'],
    ['no pipelines', { ...builtIn, pipelines: [] }, 'pipelines'],
    ['a genome alias twice', { ...builtIn, genome_builds: [...builtIn.genome_builds, { id: 'grch38', aliases: [] }] }, 'genome_builds[3].id'],
    ['a version with a space', { ...builtIn, version: 'v 2' }, 'version'],
    ['no cost model', { ...builtIn, cost_model: undefined }, 'cost_model'],
  ])('refuses %s, naming %s', (_what, input, field) => {
    const problems = problemsOf(JSON.parse(JSON.stringify(input)));
    expect(problems.map((problem) => problem.field)).toContain(field);
    const loaded = loadPipelineCatalogue(fileWith(input));
    expect(!loaded.ok && loaded.problem).toContain(field);
  });

  it('lists at most ten problems and counts the rest', () => {
    const loaded = loadPipelineCatalogue(fileWith({ ...builtIn, pipelines: builtIn.pipelines.map((pipeline) => ({ ...pipeline, title: '', description: '', day_clone: { tag: '' } })) }));
    expect(!loaded.ok && loaded.problem).toMatch(/; and 2 more\./);
  });

  it('renders only shell-safe commands, whatever tokens a file tries, once it passes the checks', () => {
    const token = fc.string({ unit: fc.constantFrom(...'abc-_.,:/=+;|&$`\\><!\n\r "\'*?(){}[]~#%^ '.split('')), minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(fc.array(token, { minLength: 1, maxLength: 3 }), fc.array(token, { maxLength: 3 }), token, token, token, (targets, options, key, value, tag) => {
        const candidate = withPipeline({ dy_r: { targets, options, jobs: 8, config: { [key]: [value] } }, day_clone: { tag } });
        const checked = checkPipelineCatalogue(candidate);
        if (!('catalogue' in checked)) return;
        const { dayClone, dyR } = runCommands((checked.catalogue as PipelineCatalogue).pipelines[1]!, 'run-0a1b2c3d');
        expect(dayClone + dyR).not.toMatch(SHELL_METACHARACTERS);
        expect(dyR).not.toMatch(/['*?(){}~#%^]/);
      }),
      { numRuns: 2000 },
    );
  });
});
