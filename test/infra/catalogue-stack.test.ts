/**
 * A stack given an operator's pipeline catalogue (`-c pipelineCatalogue=…`): the functions that read
 * the catalogue carry the file in their bundle and are pointed at it; no other function is.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENTRY_POINTS } from '../../infra/entry-points.ts';
import { CATALOGUE_FILE, shipCatalogue } from '../../infra/stack.ts';
import { ENV } from '../../lambdas/lib/config/settings.ts';
import { builtInCatalogue } from '../../lambdas/lib/domain/pipeline-catalogue.ts';
import { nagFindings, synthesize } from './synth.ts';

const file = path.join(mkdtempSync(path.join(tmpdir(), "daylily-stack's catalogue-")), 'catalogue.json');
writeFileSync(file, JSON.stringify({ ...builtInCatalogue(), version: 'lab-2' }));
const { stack, template, nag } = synthesize({ pipelineCatalogue: file });
const resources = template.toJSON().Resources as Record<string, { Properties: { Environment: { Variables: Record<string, unknown> } } }>;
const variablesOf = (id: string) => resources[stack.getLogicalId(stack.entryFunctions.get(id)!.fn.node.defaultChild as never)]!.Properties.Environment.Variables;

describe("a stack with an operator's pipeline catalogue", () => {
  it('points exactly the functions that read the catalogue at the copy in their bundle', () => {
    const readers = ENTRY_POINTS.filter((entry) => entry.access.pipelineCatalogue).map((entry) => entry.id);
    expect(readers.sort()).toEqual(['CreateWorkset', 'EstimateCost', 'GetPipeline', 'ListPipelines', 'PreviewWorkset']);
    for (const entry of ENTRY_POINTS) {
      expect(variablesOf(entry.id)[ENV.pipelineCatalogue], entry.id).toBe(entry.access.pipelineCatalogue ? `/var/task/${CATALOGUE_FILE}` : undefined);
    }
  });

  it('copies the checked file next to index.mjs, quoted for the shell whatever its path', () => {
    expect(shipCatalogue(file).afterBundling('/in', '/asset out')).toEqual([`cp '${file.replace("'", "'\\''")}' '/asset out/${CATALOGUE_FILE}'`]);
  });

  it('passes cdk-nag as the default stack does', () => {
    expect(nagFindings(nag)).toEqual([]);
  });
});
