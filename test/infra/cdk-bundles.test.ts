/**
 * What `cdk synth` bundles is what the bundle tests, `npm run bundle-report` and
 * `infra/invoke-bundle.ts` build: byte for byte, for every route.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLambdaBundle, handlerPath } from '../../infra/bundling.ts';
import { bundleFromCloudAssembly } from '../../infra/invoke-bundle.ts';
import { ENTRY_POINTS } from '../../infra/entry-points.ts';
import { createApp } from '../../infra/stack.ts';

let scratch: string;
let cdkOut: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'daylily-cdk-bundles-'));
  cdkOut = path.join(scratch, 'cdk.out');
  // Bundling on (no aws:cdk:bundling-stacks override): NodejsFunction runs the local esbuild.
  createApp({ outdir: cdkOut }).app.synth();
}, 120_000);
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('cdk synth bundles', () => {
  it.each(ENTRY_POINTS.map((route) => [route.id, route] as const))('%s: the deployed bundle is the one the tests build', async (_id, route) => {
    const deployed = await readFile(await bundleFromCloudAssembly(route, cdkOut));
    const built = await buildLambdaBundle(handlerPath(route), path.join(scratch, route.id));
    expect(deployed.equals(await readFile(built.file))).toBe(true);
  });
});
