/**
 * Per-bundle benchmark: every entry's Lambda bundle (built with the stack's esbuild options) in
 * fresh Node processes against the emulators, called with its sample event (events/): init (the
 * bundle's import), the first invocation, steady invocations p50/p95 and CPU per steady
 * invocation — what a function costs as Lambda runs it, not as the local server does.
 *
 *   npx tsx bench/bundle-figures.ts            standalone (npm run bench runs it too)
 *   npx tsx bench/bundle-figures.ts --record   also writes the figures to bench/baseline.json
 *
 * Each route runs in RUNS fresh processes of STEADY warm invocations; a figure is the median over
 * the processes. Before each route the sample workset is put back, so the sample events of the
 * lifecycle routes find it; ClaimWorkset finds a ready workset for every claim. A create gets a
 * new idempotency key each time (a registration, not a replay). Prints figures; asserts nothing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { buildLambdaBundle, handlerPath, LAMBDA_NODE_OPTIONS } from '../infra/bundling.ts';
import { ENTRY_POINTS, type EntryPoint } from '../infra/entry-points.ts';
import { sampleEventFile } from '../infra/invoke-bundle.ts';
import { readBaseline, recordBaseline, type BundleBaseline } from './baseline.ts';
import { seedWorksets } from './lifecycle-figures.ts';
import { startBenchStack, type BenchStack } from './local-stack.ts';
import { percentile, printFigures, type Figures } from './stats.ts';

const PROBE = fileURLToPath(new URL('./bundle-probe.mjs', import.meta.url));
/**
 * The Node the bundles run under: BENCH_BUNDLE_NODE, a node binary (Lambda's major, say:
 * `npx -y node@24 -p process.execPath`), else this one. V8's tiering differs between majors, and
 * with it the CPU of the first hundred invocations; the baseline was recorded under Node 20.
 */
const PROBE_NODE = process.env.BENCH_BUNDLE_NODE || process.execPath;
const RUNS = 2;
const STEADY = 100;
/** The three heaviest routes (issue 13), side by side with the baseline. */
export const HEAVIEST = ['CreateWorkset', 'ClaimWorkset', 'ListCustomerWorksets'] as const;
/** The customer and the workset the sample events name. */
const SAMPLE_CUSTOMER = 'acme-genomics';
const SAMPLE_WORKSET = 'trio-wgs-batch-7-1a2b3c4d';
/** Steady CPU may differ from the baseline's by this much (run-to-run noise on this machine) and still count as not worse. */
const CPU_NOISE = { factor: 1.1, ms: 0.3 };

interface ProbeResult {
  readonly importMs: number;
  readonly importCpuMs: number;
  readonly firstMs: number;
  readonly firstCpuMs: number;
  readonly steadyMs: number[];
  readonly steadyCpuMs: number;
  readonly statuses: Record<string, number>;
}

async function probe(bundle: string, eventFile: string, env: Readonly<Record<string, string>>): Promise<ProbeResult> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'daylily-probe-'));
  const resultFile = path.join(scratch, 'result.json');
  try {
    const child = spawn(PROBE_NODE, [PROBE, bundle, eventFile, resultFile, String(STEADY)], {
      // NODE_OPTIONS as the function has it (not this process's tsx loader).
      env: { ...process.env, ...env, NODE_OPTIONS: LAMBDA_NODE_OPTIONS },
      // The handlers' request logs would drown the figures.
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    await new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    const outcome = JSON.parse(await readFile(resultFile, 'utf8').catch(() => `{"error":${JSON.stringify(`no result. ${stderr}`)}}`)) as ProbeResult & { error?: string };
    if (outcome.error) throw new Error(`${bundle}: ${outcome.error}`);
    return outcome;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** A route's figures: medians over its processes. */
export interface BundleFigures {
  readonly importMs: number;
  readonly firstMs: number;
  readonly p50: number;
  readonly p95: number;
  readonly cpuMs: number;
  readonly firstCpuMs: number;
  readonly statuses: string;
}

const median = (values: readonly number[]) => percentile(values, 50);

async function seedSampleData(stack: BenchStack): Promise<void> {
  const at = new Date().toISOString();
  await stack.ddb.send(
    new PutCommand({
      TableName: stack.tables.customers,
      Item: {
        customer_id: SAMPLE_CUSTOMER,
        customer_name: 'Acme Genomics',
        email: 'lab@acme-genomics.example',
        max_active_worksets: 1_000_000,
        max_samples_per_workset: 20_000,
        data_locations: ['s3://acme-genomics-data/'],
        billing_tags: {},
        suspended: false,
        machine_clients: [],
        version: 1,
        directory: 'customers',
        created_at: at,
        updated_at: at,
      },
    }),
  );
}

async function routeFigures(stack: BenchStack, route: EntryPoint, bundle: string): Promise<BundleFigures> {
  const context = { url: stack.url, ddb: stack.ddb, table: stack.tables.worksets, bucket: stack.bucket };
  const runs: ProbeResult[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    await seedWorksets(context, 1, 'sample', 'ready', { id: SAMPLE_WORKSET, customer: SAMPLE_CUSTOMER, priority: 'urgent' });
    if (route.id === 'ClaimWorkset') await seedWorksets(context, STEADY + 1, `claim${run}`, 'ready', { customer: SAMPLE_CUSTOMER });
    // As Lambda sets it: code that does work at init only on Lambda (the wiring's priming) sees it.
    runs.push(await probe(bundle, sampleEventFile(route), { ...stack.env, AWS_LAMBDA_FUNCTION_NAME: route.id }));
  }
  const statuses: Record<string, number> = {};
  for (const run of runs) for (const [status, n] of Object.entries(run.statuses)) statuses[status] = (statuses[status] ?? 0) + n;
  return {
    importMs: median(runs.map((run) => run.importMs)),
    firstMs: median(runs.map((run) => run.firstMs)),
    p50: median(runs.map((run) => percentile(run.steadyMs, 50))),
    p95: median(runs.map((run) => percentile(run.steadyMs, 95))),
    cpuMs: median(runs.map((run) => run.steadyCpuMs)),
    firstCpuMs: median(runs.map((run) => run.firstCpuMs)),
    statuses: Object.entries(statuses)
      .map(([status, n]) => `${status}×${n}`)
      .join(' '),
  };
}

export async function bundleFigures(options: { record?: boolean } = {}): Promise<Figures> {
  const buildDir = await mkdtemp(path.join(tmpdir(), 'daylily-bench-bundles-'));
  const stack = await startBenchStack('bundles');
  const results: Record<string, BundleFigures> = {};
  // BENCH_BUNDLES=CreateWorkset,ClaimWorkset measures only those (while working on them).
  const only = process.env.BENCH_BUNDLES?.split(',');
  const routes = ENTRY_POINTS.filter((route) => !only || only.includes(route.id));
  try {
    await seedSampleData(stack);
    process.stderr.write(`building ${routes.length} bundles…\n`);
    const bundles = await Promise.all(routes.map(async (route) => (await buildLambdaBundle(handlerPath(route), path.join(buildDir, route.id))).file));
    for (const [index, route] of routes.entries()) {
      process.stderr.write(`  ${route.id}…\n`);
      results[route.id] = await routeFigures(stack, route, bundles[index]!);
    }
  } finally {
    await stack.stop();
    await rm(buildDir, { recursive: true, force: true });
  }

  const baseline = await readBaseline();
  const before = baseline?.bundles;
  const nodeVersion = spawnSync(PROBE_NODE, ['-p', 'process.version'], { encoding: 'utf8' }).stdout.trim();
  console.log(`\nPer-bundle figures (fresh node ${nodeVersion} processes, ${RUNS} per route × ${STEADY} steady invocations, medians; ms; CPU = per steady invocation, 'before' = the baseline's, '1st CPU' = the first invocation's):`);
  console.log(`  ${'route'.padEnd(24)} ${'import'.padStart(7)} ${'first'.padStart(7)} ${'p50'.padStart(6)} ${'p95'.padStart(6)} ${'CPU'.padStart(6)} ${'before'.padStart(7)} ${'1st CPU'.padStart(8)}  statuses`);
  for (const [id, figures] of Object.entries(results)) {
    const was = before?.[id]?.cpuMs;
    const mark = was === undefined ? '' : notWorse(figures.cpuMs, was) ? '' : '  CPU WORSE';
    console.log(
      `  ${id.padEnd(24)} ${figures.importMs.toFixed(1).padStart(7)} ${figures.firstMs.toFixed(1).padStart(7)} ${figures.p50.toFixed(1).padStart(6)} ${figures.p95.toFixed(1).padStart(6)} ${figures.cpuMs.toFixed(2).padStart(6)} ${(was?.toFixed(2) ?? '-').padStart(7)} ${figures.firstCpuMs.toFixed(1).padStart(8)}  ${figures.statuses}${mark}`,
    );
  }
  if (before) {
    console.log(`\nThe three heaviest routes, now and at the baseline (${baseline.recorded}, ${baseline.commit}):`);
    for (const id of HEAVIEST.filter((heavy) => results[heavy])) {
      const now = results[id]!;
      const was = before[id];
      const row = (label: string, figures: BundleBaseline | undefined) =>
        figures
          ? `    ${label.padEnd(8)} import ${figures.importMs.toFixed(1)}, first ${figures.firstMs.toFixed(1)}, p50 ${figures.p50.toFixed(1)}, p95 ${figures.p95.toFixed(1)}, CPU ${figures.cpuMs.toFixed(2)}`
          : `    ${label.padEnd(8)} (not recorded)`;
      console.log(`  ${id}\n${row('before', was)}\n${row('now', now)}`);
    }
  }

  const create = results.CreateWorkset;
  const worse = before ? Object.entries(results).filter(([id, figures]) => before[id] && !notWorse(figures.cpuMs, before[id]!.cpuMs)) : [];
  const figures: Figures = create
    ? [
        ['CreateWorkset first invocation', create.firstMs, 'ms', `≤ ${(create.importMs + 2 * create.p50).toFixed(1)} (import + 2× steady p50)`],
        ['CreateWorkset steady CPU per invocation', create.cpuMs, 'ms', '≤ 6'],
      ]
    : [];
  if (before) figures.push(['routes whose steady CPU is worse than the baseline', worse.length, 'routes', `≤ 0 (noise allowed: ×${CPU_NOISE.factor} + ${CPU_NOISE.ms} ms)`]);
  if (worse.length > 0) console.log(`\nSteady CPU worse than the baseline: ${worse.map(([id]) => id).join(', ')}`);
  if (options.record) await recordBaseline('bundles', results);
  return figures;
}

function notWorse(now: number, before: number): boolean {
  return now <= before * CPU_NOISE.factor + CPU_NOISE.ms;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  printFigures('Per-bundle benchmark (targets):', await bundleFigures({ record: process.argv.includes('--record') }));
}
