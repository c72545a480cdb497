// Loads one Lambda bundle under plain Node (no tsx, no test runner) and calls its handler once
// with an API Gateway v2 event, the way the Lambda runtime does:
//
//   node infra/bundle-runner.mjs <bundle.mjs> <event.json> <result.json>
//
// The handler's own output (its logs) goes to stdout/stderr untouched; the outcome is written as
// JSON to <result.json>: { result, importMs, invokeMs } or { error: { name, message, stack } }.
// Plain JavaScript on purpose: `npx -y node@24 infra/bundle-runner.mjs ...` runs it on the
// Lambda runtime's Node major without installing anything else.
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { pathToFileURL } from 'node:url';

const [bundle, eventFile, resultFile] = process.argv.slice(2);
if (!bundle || !eventFile || !resultFile) {
  process.stderr.write('usage: node infra/bundle-runner.mjs <bundle.mjs> <event.json> <result.json>\n');
  process.exit(2);
}

const event = JSON.parse(await readFile(eventFile, 'utf8'));
const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME ?? basename(dirname(bundle));
const timeoutMs = Number(process.env.DAYLILY_INVOKE_TIMEOUT_MS ?? 10_000);
const deadline = Date.now() + timeoutMs;
const context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION ?? 'us-west-2'}:123456789012:function:${functionName}`,
  memoryLimitInMB: '512',
  awsRequestId: randomUUID(),
  logGroupName: `/aws/lambda/${functionName}`,
  logStreamName: 'local',
  getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  done() {},
  fail() {},
  succeed() {},
};

let outcome;
try {
  const importStarted = performance.now();
  const module = await import(pathToFileURL(bundle).href);
  const importMs = performance.now() - importStarted;
  if (typeof module.handler !== 'function') throw new TypeError(`${bundle} does not export a handler function`);
  const invokeStarted = performance.now();
  const result = await module.handler(event, context);
  outcome = { result, importMs, invokeMs: performance.now() - invokeStarted };
} catch (error) {
  const { name, message, stack } = error instanceof Error ? error : new Error(String(error));
  outcome = { error: { name, message, stack } };
}
await writeFile(resultFile, `${JSON.stringify(outcome, null, 2)}\n`);
// SDK clients keep sockets alive; Lambda freezes the process instead, here we just leave.
process.exit(outcome.error ? 1 : 0);
