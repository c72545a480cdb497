/**
 * `npm run bundle-report`: every entry's Lambda bundle, built with the stack's esbuild options,
 * against its floor — a bare handler using the same AWS clients (DynamoDB, plus S3 for entries
 * that touch the control bucket, EventBridge and SES v2 for one that publishes and mails). An
 * entry may exceed its floor by at most BUNDLE_BUDGET (or its
 * allowance in BUNDLE_ALLOWANCES, with the reason); a route
 * without control-bucket access must not carry the S3 client or the YAML parser at all, and no
 * route the JWT library.
 * Exits 1 when a route breaks either rule. Import times are medians of fresh `node` processes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildLambdaBundle, LAMBDA_NODE_OPTIONS, REPO_ROOT, handlerPath, type BuiltBundle } from './bundling.ts';
import { functionSize } from './function-sizes.ts';
import { usesControlBucket } from './entry-permissions.ts';
import { ENTRY_POINTS, type EntryPoint } from './entry-points.ts';

/** A route's bundle may be at most this multiple of its floor... */
export const BUNDLE_BUDGET = 1.15;

/** ...except these, each with the reason it needs more. */
export const BUNDLE_ALLOWANCES: Readonly<Record<string, { readonly budget: number; readonly reason: string }>> = {
  CreateWorkset: { budget: 1.2, reason: 'parses yaml_content: the YAML parser (js-yaml, 39 KB) is the smallest maintained one' },
};

/** The budget of a route's bundle, as a multiple of its floor. */
export function bundleBudget(routeId: string): number {
  return BUNDLE_ALLOWANCES[routeId]?.budget ?? BUNDLE_BUDGET;
}

/** The AWS clients an entry's function is built with: each one's floor carries it. */
export type Client = 'dynamodb' | 's3' | 'eventbridge' | 'sesv2';

/** A floor is named by its clients, `+`-joined in this order: `dynamodb`, `dynamodb+s3`, `dynamodb+eventbridge+sesv2`. */
export type FloorName = string;

/**
 * What each client adds to a floor: its import, its client, and a call of each kind a real store
 * makes (a write, a read; document marshalling for DynamoDB), so the floor carries what an
 * honest adapter carries and no more.
 */
const CLIENT_FLOORS: Readonly<Record<Client, { readonly imports: string; readonly setup: string; readonly calls: string }>> = {
  dynamodb: {
    imports: `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
    import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';`,
    setup: 'const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));',
    calls: `const TableName = process.env.TABLE;
      if (event.rawPath === '/put') await db.send(new PutCommand({ TableName, Item: { id: event.rawPath } }));
      if (event.rawPath === '/query') await db.send(new QueryCommand({ TableName, KeyConditionExpression: 'id = :id', ExpressionAttributeValues: { ':id': 'x' } }));`,
  },
  s3: {
    imports: "import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';",
    setup: 'const s3 = new S3Client({});',
    calls: "await s3.send(new PutObjectCommand({ Bucket: process.env.BUCKET, Key: event.rawPath, Body: 'x' }));",
  },
  eventbridge: {
    imports: "import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';",
    setup: 'const events = new EventBridgeClient({});',
    calls: "await events.send(new PutEventsCommand({ Entries: [{ EventBusName: process.env.BUS, Source: 'floor', DetailType: 'floor', Detail: JSON.stringify(event) }] }));",
  },
  sesv2: {
    imports: "import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';",
    setup: 'const ses = new SESv2Client({});',
    calls:
      "await ses.send(new SendEmailCommand({ FromEmailAddress: process.env.FROM, Destination: { ToAddresses: [event.rawPath] }, Content: { Simple: { Subject: { Data: 'x' }, Body: { Text: { Data: 'x' } } } } }));",
  },
};

const CLIENT_ORDER: readonly Client[] = ['dynamodb', 's3', 'eventbridge', 'sesv2'];

/** The smallest honest handler with these clients (DynamoDB always: every entry reads a table). */
export function floorSource(clients: readonly Client[]): string {
  const parts = CLIENT_ORDER.filter((client) => clients.includes(client)).map((client) => CLIENT_FLOORS[client]);
  return `
    ${parts.map((part) => part.imports).join('\n    ')}
    ${parts.map((part) => part.setup).join('\n    ')}
    export const handler = async (event) => {
      ${parts.map((part) => part.calls).join('\n      ')}
      const { Item } = await db.send(new GetCommand({ TableName, Key: { id: event.rawPath } }));
      return { statusCode: 200, body: JSON.stringify(Item ?? null) };
    };`;
}

/** The clients an entry's function carries, from what its access grants. */
export function clientsOf(route: EntryPoint): Client[] {
  return [
    'dynamodb',
    ...(usesControlBucket(route) ? (['s3'] as const) : []),
    ...(route.access.eventBus?.length ? (['eventbridge'] as const) : []),
    ...(route.access.email?.length ? (['sesv2'] as const) : []),
  ];
}

/** Packages a route without control-bucket access has no business loading. */
export const READ_ROUTE_FORBIDDEN = ['node_modules/@aws-sdk/client-s3/', 'node_modules/js-yaml/'] as const;

/**
 * Routes without control-bucket access that still need the YAML parser, each with the reason. None
 * today: the preview, which renders YAML, reads staged sheets from the bucket's upload prefix.
 */
export const YAML_WITHOUT_BUCKET: Readonly<Record<string, string>> = {};
/**
 * Packages no function may carry: API Gateway verifies the bearer tokens (the functions only read
 * the claims it delivers); the JWT library serves the local development issuer only.
 */
export const EVERY_ROUTE_FORBIDDEN = ['node_modules/jose/'] as const;

export function floorOf(route: EntryPoint): FloorName {
  return clientsOf(route).join('+');
}

export function buildFloor(name: FloorName, outdir: string): Promise<BuiltBundle> {
  const clients = name.split('+') as Client[];
  return buildLambdaBundle({ contents: floorSource(clients), resolveDir: REPO_ROOT, sourcefile: `floor-${name}.mjs`, loader: 'js' }, outdir);
}

/** The forbidden packages a bundle contains (empty when the route may use them or does not). */
export function forbiddenInputs(route: EntryPoint, bundle: BuiltBundle): string[] {
  const inputs = Object.keys(bundle.metafile.inputs);
  const readRoute = usesControlBucket(route) ? [] : READ_ROUTE_FORBIDDEN.filter((pkg) => !(pkg === 'node_modules/js-yaml/' && YAML_WITHOUT_BUCKET[route.id]));
  const forbidden = [...readRoute, ...EVERY_ROUTE_FORBIDDEN];
  return forbidden.filter((pkg) => inputs.some((input) => input.includes(pkg)));
}

export interface ImportCost {
  /** Median wall time of `import(bundle)`. */
  readonly ms: number;
  /** Median peak resident set size of the process after the import (Node itself included). */
  readonly rssMiB: number;
}

/** Cost of `import(bundle)` in fresh Node processes (medians), with the function's NODE_OPTIONS. */
export function importCost(bundleFile: string, runs = 5): ImportCost {
  const script =
    'const t = performance.now(); await import(process.argv[1]); const ms = performance.now() - t;' +
    'process.stdout.write(JSON.stringify({ ms, rssKiB: process.resourceUsage().maxRSS })); process.exit(0);';
  const samples: Array<{ ms: number; rssKiB: number }> = [];
  for (let run = 0; run < runs; run += 1) {
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script, pathToFileURL(bundleFile).href], {
      env: { ...process.env, NODE_OPTIONS: LAMBDA_NODE_OPTIONS, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      encoding: 'utf8',
    });
    if (child.status !== 0) throw new Error(`Importing ${bundleFile} failed:\n${child.stderr}`);
    samples.push(JSON.parse(child.stdout) as { ms: number; rssKiB: number });
  }
  const median = (values: number[]): number => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
  return { ms: median(samples.map((sample) => sample.ms)), rssMiB: median(samples.map((sample) => sample.rssKiB)) / 1024 };
}

/** The largest packages (or source folders) of a bundle, for finding what pushed it over. */
export function largestInputs(bundle: BuiltBundle, count = 8): Array<{ name: string; bytes: number }> {
  const byPackage = new Map<string, number>();
  for (const output of Object.values(bundle.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const name = match?.[1] ?? path.dirname(input);
      byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...byPackage.entries()]
    .map(([name, bytes]) => ({ name, bytes }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, count);
}

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;

async function main(): Promise<void> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'daylily-bundle-report-'));
  try {
    const floors = new Map<FloorName, BuiltBundle & { cost: ImportCost }>();
    for (const name of new Set(ENTRY_POINTS.map(floorOf))) {
      const bundle = await buildFloor(name, path.join(scratch, `floor-${name}`));
      floors.set(name, { ...bundle, cost: importCost(bundle.file) });
    }
    const rows: string[][] = [['route', 'floor', 'size', 'floor size', 'ratio', 'budget', 'import', 'rss', 'memory', 'verdict']];
    const failures: string[] = [];
    for (const route of ENTRY_POINTS) {
      const bundle = await buildLambdaBundle(handlerPath(route), path.join(scratch, route.id));
      const floorName = floorOf(route);
      const floor = floors.get(floorName);
      if (!floor) throw new Error(`floor ${floorName} was not built`);
      const ratio = bundle.bytes / floor.bytes;
      const budget = bundleBudget(route.id);
      const forbidden = forbiddenInputs(route, bundle);
      const problems = [
        ...(ratio > budget ? [`${ratio.toFixed(3)}x its floor (budget ${budget.toFixed(2)}x)`] : []),
        ...(forbidden.length > 0 ? [`carries ${forbidden.join(', ')}, which it has no business loading`] : []),
      ];
      if (problems.length > 0) {
        const largest = largestInputs(bundle).map(({ name, bytes }) => `${name} ${kb(bytes)}`).join(', ');
        failures.push(`${route.id}: ${problems.join('; ')}. Largest inputs: ${largest}`);
      }
      const cost = importCost(bundle.file);
      rows.push([
        route.id,
        floorName,
        kb(bundle.bytes),
        kb(floor.bytes),
        `${ratio.toFixed(3)}x`,
        `${budget.toFixed(2)}x`,
        `${cost.ms.toFixed(0)} ms`,
        `${cost.rssMiB.toFixed(0)} MiB`,
        `${functionSize(route).memoryMiB} MiB`,
        problems.length ? 'OVER' : BUNDLE_ALLOWANCES[route.id] ? 'ok (allowance)' : 'ok',
      ]);
    }
    for (const [name, floor] of floors) {
      rows.push([`(floor ${name})`, '', kb(floor.bytes), '', '', '', `${floor.cost.ms.toFixed(0)} ms`, `${floor.cost.rssMiB.toFixed(0)} MiB`, '', '']);
    }
    const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
    for (const row of rows) process.stdout.write(`${row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ')}\n`);
    process.stdout.write(
      `\nNode ${process.version}; import and rss (peak resident memory after the import, Node included) = medians of 5 fresh\n` +
        `processes with NODE_OPTIONS=${LAMBDA_NODE_OPTIONS}; memory = the function's configured memory (infra/function-sizes.ts).\n` +
        `Budget ${BUNDLE_BUDGET}x of the floor; allowances: ${Object.entries(BUNDLE_ALLOWANCES).map(([id, { budget, reason }]) => `${id} ${budget.toFixed(2)}x (${reason})`).join('; ')}.\n`,
    );
    if (failures.length > 0) {
      process.stderr.write(`\nOver budget:\n${failures.map((line) => `  ${line}`).join('\n')}\n`);
      process.exitCode = 1;
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** `--inputs <EntryId>`: every input of one entry's bundle with its bytes, largest first (what to cut). */
async function printInputs(entryId: string): Promise<void> {
  const entry = ENTRY_POINTS.find((candidate) => candidate.id === entryId);
  if (!entry) throw new Error(`No entry ${entryId}; entries: ${ENTRY_POINTS.map((candidate) => candidate.id).join(', ')}`);
  const scratch = await mkdtemp(path.join(tmpdir(), 'daylily-bundle-inputs-'));
  try {
    const bundle = await buildLambdaBundle(handlerPath(entry), scratch);
    const inputs = Object.values(bundle.metafile.outputs).flatMap((output) => Object.entries(output.inputs));
    for (const [input, { bytesInOutput }] of inputs.sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput)) {
      if (bytesInOutput > 0) process.stdout.write(`${String(bytesInOutput).padStart(8)}  ${input}\n`);
    }
    process.stdout.write(`${String(bundle.bytes).padStart(8)}  (bundle)\n`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const inputsOf = process.argv.indexOf('--inputs');
  (inputsOf > 0 ? printInputs(process.argv[inputsOf + 1] ?? '') : main()).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
