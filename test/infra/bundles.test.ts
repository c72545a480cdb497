/**
 * The deployable artefact itself: handlers bundled with the stack's esbuild options (SDK inside,
 * minified, ESM), loaded by plain Node in a fresh process and called with the route's sample
 * event — against DynamoDB Local and s3rver through the SDK's standard endpoint variables.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forbiddenInputs, importCost } from '../../infra/bundle-report.ts';
import { buildLambdaBundle, handlerPath, type BuiltBundle } from '../../infra/bundling.ts';
import { invokeBundle, routeById, sampleEventFile } from '../../infra/invoke-bundle.ts';
import { functionSize } from '../../infra/function-sizes.ts';
import { usesControlBucket } from '../../infra/entry-permissions.ts';
import { ENTRY_POINTS, type EntryPoint } from '../../infra/entry-points.ts';
import { useLocalAws } from '../support/local-aws.ts';

const aws = useLocalAws('bundles');

let scratch: string;
const bundles = new Map<string, BuiltBundle>();

async function bundleOf(routeId: string): Promise<{ route: EntryPoint; bundle: BuiltBundle }> {
  const route = routeById(routeId);
  let bundle = bundles.get(routeId);
  if (!bundle) {
    bundle = await buildLambdaBundle(handlerPath(route), path.join(scratch, route.id));
    bundles.set(routeId, bundle);
  }
  return { route, bundle };
}

const sampleEvent = async (route: EntryPoint) => JSON.parse(await readFile(sampleEventFile(route), 'utf8')) as { pathParameters?: Record<string, string> };

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'daylily-bundles-test-'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('route bundles under plain Node', () => {
  it('the health bundle answers its sample event and sees the control bucket configured', async () => {
    const { route, bundle } = await bundleOf('Health');
    const { result, logs } = await invokeBundle(bundle.file, await sampleEvent(route), { stdio: 'pipe' });
    expect(result.statusCode, logs).toBe(200);
    expect(JSON.parse(result.body ?? '')).toMatchObject({ status: 'healthy', control_bucket_configured: true });
  });

  it('the registration bundle registers the sample workset: a ready record in DynamoDB and its control folder in S3', async () => {
    const { route, bundle } = await bundleOf('CreateWorkset');
    const event = await sampleEvent(route);
    await aws.seedCustomer(event.pathParameters!.customer_id!);

    const { result, logs } = await invokeBundle(bundle.file, event, { stdio: 'pipe' });

    expect(result.statusCode, `${result.body}\n${logs}`).toBe(201);
    const workset = JSON.parse(result.body ?? '') as { workset_id: string; state: string; customer_id: string };
    expect(workset.customer_id).toBe(event.pathParameters!.customer_id);
    expect(result.headers?.location).toContain(workset.workset_id);

    const folder = `${aws.controlPrefix}${workset.workset_id}/`;
    expect(await aws.listKeys(folder)).toEqual(
      expect.arrayContaining([`${folder}daylily.ready`, `${folder}daylily_work.yaml`, `${folder}daylily_info.yaml`, `${folder}stage_samples.tsv`]),
    );
    const { Item } = await aws.ddb.send(new GetCommand({ TableName: aws.tables.worksets, Key: { workset_id: workset.workset_id } }));
    expect(Item?.state).toBe('ready');
  });

  it('the stream consumer bundle publishes its sample batch\'s state change as an event line, and fails no record', async () => {
    const { route, bundle } = await bundleOf('PublishStateChanges');
    const events = path.join(scratch, 'published');
    const { result, logs } = await invokeBundle(bundle.file, await sampleEvent(route), { stdio: 'pipe', env: { DAYLILY_EVENTS_DIR: events } });
    expect(result, logs).toEqual({ batchItemFailures: [] });
    const [file] = await readdir(events);
    const lines = (await readFile(path.join(events, file!), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { detail: { event_id: string; to: string } });
    expect(lines.map((line) => line.detail)).toEqual([expect.objectContaining({ event_id: 'trio-wgs-batch-7-9f2c41d8:3', to: 'complete', customer_id: 'acme-genomics' })]);
  });

  it('the reconciler bundle runs a pass on its sample tick and answers its report', async () => {
    const { route, bundle } = await bundleOf('ReconcileWorksets');
    // The function's own timeout: a pass keeps a margin before it (the runner's default, 10 s, leaves it no time).
    const env = { DAYLILY_INVOKE_TIMEOUT_MS: String(functionSize(route).timeoutSeconds * 1000) };
    const { result, logs } = await invokeBundle(bundle.file, await sampleEvent(route), { stdio: 'pipe', env });
    expect(result, logs).toMatchObject({ complete: true, dry_run: false, kinds: { sentinels: { found: 0 } } });
    // Its EMF documents went to standard output, one a line.
    expect(logs).toContain('"Namespace":"Daylily/Reconciler"');
  });

  it.each(ENTRY_POINTS.filter((route) => usesControlBucket(route)).map((route) => [route.id]))(
    '%s: its bundle carries no JWT library (API Gateway verifies tokens; the handler reads claims)',
    async (routeId) => {
      const { route, bundle } = await bundleOf(routeId);
      expect(forbiddenInputs(route, bundle)).toEqual([]);
      expect(Object.keys(bundle.metafile.inputs).some((input) => input.includes('node_modules/jose/'))).toBe(false);
    },
  );

  it.each(ENTRY_POINTS.filter((route) => !usesControlBucket(route)).map((route) => [route.id]))(
    '%s: without control-bucket access, its bundle carries neither the S3 client nor the YAML parser (unless bundle-report.ts YAML_WITHOUT_BUCKET allows it), nor a JWT library',
    async (routeId) => {
      const { route, bundle } = await bundleOf(routeId);
      expect(forbiddenInputs(route, bundle)).toEqual([]);
      const inputs = Object.keys(bundle.metafile.inputs);
      expect(inputs.some((input) => input.includes('node_modules/@aws-sdk/client-s3/'))).toBe(false);
    },
  );

  it.each(ENTRY_POINTS.map((route) => [route.id]))('%s: reads the pipeline catalogue exactly when its entry says so (the stack ships an operator\'s file to those)', async (routeId) => {
    const { route, bundle } = await bundleOf(routeId);
    const reads = Object.keys(bundle.metafile.inputs).some((input) => input.endsWith('lambdas/lib/wiring/catalogue-source.ts'));
    expect(reads).toBe(route.access.pipelineCatalogue === true);
  });

  it('the preview bundle carries no DynamoDB client (only S3’s, to read a staged sheet), the catalogue routes no AWS client and no YAML parser', async () => {
    for (const routeId of ['PreviewWorkset', 'ListPipelines', 'GetPipeline', 'EstimateCost']) {
      const { bundle } = await bundleOf(routeId);
      const inputs = Object.keys(bundle.metafile.inputs);
      const clients = inputs.filter((input) => /node_modules\/@aws-sdk\/(client|lib)-/.test(input)).map((input) => input.replace(/^.*node_modules\/(@aws-sdk\/[^/]+)\/.*$/, '$1'));
      expect([...new Set(clients)], routeId).toEqual(routeId === 'PreviewWorkset' ? ['@aws-sdk/client-s3'] : []);
      if (routeId !== 'PreviewWorkset') expect(inputs.filter((input) => input.includes('node_modules/js-yaml/')), routeId).toEqual([]);
    }
  });

  it.each(['Health', 'CreateWorkset', 'GetWorkset', 'ListWorksets'])(
    '%s: once imported, its bundle leaves at least half of the function\'s memory to requests',
    async (routeId) => {
      const { route, bundle } = await bundleOf(routeId);
      const { rssMiB } = importCost(bundle.file, 1);
      expect(rssMiB).toBeGreaterThan(0);
      expect(rssMiB).toBeLessThan(functionSize(route).memoryMiB / 2);
    },
  );
});
