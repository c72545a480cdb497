/**
 * Docker-free local invoke: one route's Lambda bundle, loaded under plain Node and called with an
 * API Gateway v2 event (by default the route's sample in events/).
 *
 *   npx tsx infra/invoke-bundle.ts <RouteId> [--event <file>] [--cdk-out <dir>] [--node <binary>]
 *
 * Without --cdk-out the bundle is built with the stack's esbuild options (infra/bundling.ts); with
 * it, the bundle `cdk synth` wrote for that function is used as is. The handler reads its settings
 * from this process's environment (DAYLILY_*, AWS_*), e.g. the local emulators' endpoints.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildLambdaBundle, LAMBDA_NODE_OPTIONS, REPO_ROOT, handlerPath } from './bundling.ts';
import { ENTRY_POINTS, type EntryPoint } from './entry-points.ts';

export const EVENTS_DIR = path.join(REPO_ROOT, 'events');
const RUNNER = path.join(REPO_ROOT, 'infra', 'bundle-runner.mjs');

/** Where a route's sample API Gateway v2 event lives. */
export function sampleEventFile(route: EntryPoint): string {
  return path.join(EVENTS_DIR, `${route.id}.json`);
}

export function routeById(id: string): EntryPoint {
  const route = ENTRY_POINTS.find((candidate) => candidate.id === id);
  if (!route) throw new Error(`No route "${id}" in infra/entry-points.ts. Known: ${ENTRY_POINTS.map((r) => r.id).join(', ')}.`);
  return route;
}

/** The bundle `cdk synth` produced for the route's function (found through the template's asset metadata). */
export async function bundleFromCloudAssembly(route: EntryPoint, cdkOut: string): Promise<string> {
  const templates = (await readdir(cdkOut)).filter((name) => name.endsWith('.template.json'));
  for (const name of templates) {
    const template = JSON.parse(await readFile(path.join(cdkOut, name), 'utf8')) as {
      Resources?: Record<string, { Type: string; Properties?: { Code?: { S3Key?: unknown } }; Metadata?: Record<string, unknown> }>;
    };
    // The stack's construct id is `${route.id}Function`; CDK appends an 8-hex hash for the logical id.
    const logicalId = new RegExp(`^${route.id}Function[0-9A-F]{8}$`);
    for (const [id, resource] of Object.entries(template.Resources ?? {})) {
      if (resource.Type !== 'AWS::Lambda::Function' || !logicalId.test(id)) continue;
      // The CLI records the asset directory in metadata; an in-process synth does not, but the
      // asset's S3 key `<hash>.zip` names the same `asset.<hash>` directory.
      const assetPath = resource.Metadata?.['aws:asset:path'];
      const s3Key = resource.Properties?.Code?.S3Key;
      const directory =
        typeof assetPath === 'string' ? assetPath : typeof s3Key === 'string' ? `asset.${s3Key.replace(/\.zip$/, '')}` : undefined;
      if (directory) return path.join(cdkOut, directory, 'index.mjs');
    }
  }
  throw new Error(`No bundled function for ${route.id} in ${cdkOut}: run \`npx cdk synth\` first.`);
}

export interface InvokeOptions {
  /** Added to (and overriding) this process's environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Node binary to run the bundle with (e.g. a Node 24 to match the Lambda runtime). */
  readonly node?: string;
  /** 'pipe' collects the handler's logs into the result instead of printing them. */
  readonly stdio?: 'inherit' | 'pipe';
}

export interface InvokeResult {
  /** What the handler returned (an API Gateway v2 result for our handlers). */
  readonly result: { statusCode: number; headers?: Record<string, string>; body?: string } & Record<string, unknown>;
  readonly importMs: number;
  readonly invokeMs: number;
  /** The handler's stdout and stderr when `stdio` is 'pipe'. */
  readonly logs: string;
}

/** Runs `handler(event)` of `bundleFile` in a fresh Node process (a cold start, as in Lambda). */
export async function invokeBundle(bundleFile: string, event: unknown, options: InvokeOptions = {}): Promise<InvokeResult> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'daylily-invoke-'));
  try {
    const eventFile = path.join(scratch, 'event.json');
    const resultFile = path.join(scratch, 'result.json');
    await writeFile(eventFile, JSON.stringify(event));
    const stdio = options.stdio ?? 'inherit';
    const child = spawn(options.node ?? process.execPath, [RUNNER, bundleFile, eventFile, resultFile], {
      // NODE_OPTIONS as the function has it, replacing whatever this process runs with (tsx's loader).
      env: { ...process.env, NODE_OPTIONS: LAMBDA_NODE_OPTIONS, ...options.env },
      stdio: ['ignore', stdio, stdio],
    });
    let logs = '';
    child.stdout?.on('data', (chunk: Buffer) => (logs += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (logs += chunk.toString('utf8')));
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    let outcome: { result?: InvokeResult['result']; importMs?: number; invokeMs?: number; error?: { name: string; message: string; stack?: string } };
    try {
      outcome = JSON.parse(await readFile(resultFile, 'utf8')) as typeof outcome;
    } catch {
      throw new Error(`The bundle runner exited with ${exitCode} without a result.${logs ? `\n${logs}` : ''}`);
    }
    if (outcome.error || !outcome.result) {
      const error = new Error(`The handler of ${bundleFile} threw ${outcome.error?.name}: ${outcome.error?.message}${logs ? `\n${logs}` : ''}`);
      if (outcome.error?.stack) error.stack = outcome.error.stack;
      throw error;
    }
    return { result: outcome.result, importMs: outcome.importMs ?? 0, invokeMs: outcome.invokeMs ?? 0, logs };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      event: { type: 'string' },
      'cdk-out': { type: 'string' },
      node: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [routeId] = positionals;
  if (values.help || !routeId) {
    process.stdout.write('usage: npx tsx infra/invoke-bundle.ts <RouteId> [--event <file>] [--cdk-out <dir>] [--node <binary>]\n');
    process.stdout.write(`routes: ${ENTRY_POINTS.map((route) => route.id).join(', ')}\n`);
    process.exitCode = routeId || values.help ? 0 : 2;
    return;
  }
  const route = routeById(routeId);
  const event = JSON.parse(await readFile(values.event ?? sampleEventFile(route), 'utf8')) as unknown;
  let buildDir: string | undefined;
  try {
    let bundle: string;
    if (values['cdk-out']) {
      bundle = await bundleFromCloudAssembly(route, path.resolve(values['cdk-out']));
    } else {
      buildDir = await mkdtemp(path.join(tmpdir(), `daylily-bundle-${route.id}-`));
      bundle = (await buildLambdaBundle(handlerPath(route), buildDir)).file;
    }
    const { result, importMs, invokeMs } = await invokeBundle(bundle, event, values.node ? { node: values.node } : {});
    process.stderr.write(`${route.id}: import ${importMs.toFixed(0)} ms, handler ${invokeMs.toFixed(0)} ms\n`);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    if (buildDir) await rm(buildDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
