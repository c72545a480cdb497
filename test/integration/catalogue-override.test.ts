/**
 * An operator's catalogue replaces the built-in one for every route that reads it: listed, priced
 * and rendered into daylily_work.yaml (DAYLILY_PIPELINE_CATALOGUE, read at the first request).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { builtInCatalogue } from '../../lambdas/lib/domain/pipeline-catalogue.ts';
import { call } from '../support/api.ts';
import { useLocalAws } from '../support/local-aws.ts';

const aws = useLocalAws('catalogue-override');

const builtIn = builtInCatalogue();
const exome = {
  ...builtIn.pipelines[1]!,
  id: 'exome_snv',
  title: 'Exome: small variants',
  aliases: ['wes'],
  genome_builds: ['hg38'],
  dy_r: { targets: ['produce_snv_concordances'], options: ['-p', '-k'], jobs: 64, config: { aligners: ['bwa2a'], snv_callers: ['deep19'] } },
  day_clone: { tag: 'v0.7.2', repository: 'daylily-omics-analysis' },
  cost: { vcpu_hours_per_sample: 3 },
};
const file = path.join(mkdtempSync(path.join(tmpdir(), 'daylily-override-')), 'catalogue.json');
writeFileSync(file, JSON.stringify({ ...builtIn, version: '2026.03-lab', pipelines: [...builtIn.pipelines, exome] }));
process.env.DAYLILY_PIPELINE_CATALOGUE = file;

describe("an operator's catalogue", () => {
  it('is what the catalogue routes list and price', async () => {
    const listed = await call('ListPipelines');
    expect(listed.json.catalogue_version).toBe('2026.03-lab');
    expect(listed.json.pipelines.at(-1)).toMatchObject({ id: 'exome_snv', dy_r: 'produce_snv_concordances -p -k -j 64 --config aligners=["bwa2a"] snv_callers=["deep19"]', day_clone: { tag: 'v0.7.2', repository: 'daylily-omics-analysis' } });
    const priced = await call('EstimateCost', { body: { pipeline_type: 'wes' } });
    expect(priced.json).toMatchObject({ pipeline_type: 'exome_snv', vcpu_hours: 3, catalogue_version: '2026.03-lab' });
  });

  it("is what registration renders: the entry's dy-r, its pinned tag and repository, its own builds", async () => {
    await aws.seedCustomer('override-lab');
    const created = await call('CreateWorkset', { path: { customer_id: 'override-lab' }, body: { workset_name: 'exome', pipeline_type: 'WES', reference_genome: 'GRCh38' } });
    expect(created.status).toBe(201);
    const folder = `${aws.controlPrefix}${created.json.workset_id}/`;
    const work = load((await aws.getText(`${folder}daylily_work.yaml`))!) as Record<string, string>;
    expect(work).toMatchObject({
      'day-clone': `-d ${created.json.workset_id} -t v0.7.2 --repository daylily-omics-analysis`,
      'dy-r': 'produce_snv_concordances -p -k -j 64 --config aligners=["bwa2a"] snv_callers=["deep19"]',
      genome_build: 'hg38',
    });
    const info = load((await aws.getText(`${folder}daylily_info.yaml`))!) as Record<string, string>;
    expect(info).toMatchObject({ pipeline_type: 'exome_snv', requested_pipeline_type: 'WES', pipeline_catalogue_version: '2026.03-lab' });

    const refused = await call('CreateWorkset', { path: { customer_id: 'override-lab' }, body: { workset_name: 'exome', pipeline_type: 'wes', reference_genome: 'b37' } });
    expect(refused.status).toBe(422);
    expect(refused.json.errors).toEqual([{ field: 'reference_genome', message: 'b37 is not a build exome_snv runs on; one of: hg38' }]);
  });
});
