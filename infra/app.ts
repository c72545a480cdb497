/**
 * `cdk synth` / `cdk deploy` entry (cdk.json: `npx tsx infra/app.ts`). Context keys and their
 * defaults: infra/stack-config.ts and docs/deploy.md.
 */
import { InvalidContextError } from './stack-config.ts';
import { createApp } from './stack.ts';

try {
  createApp().app.synth();
} catch (error) {
  // A bad -c value is the operator's to fix: the message says how; a stack trace would bury it.
  if (!(error instanceof InvalidContextError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
}
