// One Lambda bundle in a fresh Node process, the way the Lambda runtime uses it: import it (init),
// call its handler once (the first invocation), then `steady` more times in the same process
// (warm invocations), measuring wall time and this process's CPU time for each phase.
//
//   node bench/bundle-probe.mjs <bundle.mjs> <event.json> <result.json> <steady>
//
// Each invocation gets its own request id and, where the event has one, its own idempotency key
// (so a create is a new registration, not a replay). Writes to <result.json>:
//   { importMs, importCpuMs, firstMs, firstCpuMs, steadyMs: [..], steadyCpuMs, statuses: {status: n} }
// or { error }. Plain JavaScript, like infra/bundle-runner.mjs: no tsx in the measured process.
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';

const [bundle, eventFile, resultFile, steadyArg] = process.argv.slice(2);
if (!bundle || !eventFile || !resultFile) {
  process.stderr.write('usage: node bench/bundle-probe.mjs <bundle.mjs> <event.json> <result.json> <steady>\n');
  process.exit(2);
}
const steady = Number(steadyArg ?? 100);
const template = JSON.parse(await readFile(eventFile, 'utf8'));

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

function eventFor(i) {
  const event = structuredClone(template);
  if (event.requestContext) event.requestContext.requestId = randomUUID();
  const key = event.headers?.['idempotency-key'];
  if (key) event.headers['idempotency-key'] = `${key}-${process.pid}-${i}`;
  return event;
}

function contextFor() {
  const deadline = Date.now() + 10_000;
  return { awsRequestId: randomUUID(), functionName: 'bench', memoryLimitInMB: '512', getRemainingTimeInMillis: () => deadline - Date.now() };
}

const statuses = {};
async function invoke(handler, i) {
  const event = eventFor(i);
  const cpu = cpuMs();
  const start = performance.now();
  const result = await handler(event, contextFor());
  const ms = performance.now() - start;
  const status = String(result?.statusCode ?? 'ok');
  statuses[status] = (statuses[status] ?? 0) + 1;
  return { ms, cpu: cpuMs() - cpu };
}

let outcome;
try {
  const importCpu = cpuMs();
  const importStart = performance.now();
  const module = await import(pathToFileURL(bundle).href);
  const importMs = performance.now() - importStart;
  const importCpuMs = cpuMs() - importCpu;
  const first = await invoke(module.handler, 0);
  const steadyMs = [];
  const steadyCpu = cpuMs();
  for (let i = 1; i <= steady; i += 1) steadyMs.push((await invoke(module.handler, i)).ms);
  outcome = { importMs, importCpuMs, firstMs: first.ms, firstCpuMs: first.cpu, steadyMs, steadyCpuMs: (cpuMs() - steadyCpu) / steady, statuses };
} catch (error) {
  outcome = { error: String(error?.stack ?? error) };
}
await writeFile(resultFile, JSON.stringify(outcome));
process.exit(0);
