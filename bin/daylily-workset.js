#!/usr/bin/env node
// Launcher for the labs' client (`npx daylily-workset <command>`, docs/cli.md): TypeScript run
// through tsx's loader, like bin/daylily-workset-api.js, so there is no build step.
import { isatty } from 'node:tty';
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/lab-cli.ts');
process.exitCode = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  stderrIsTTY: process.stderr.isTTY === true,
  // process.stdin is opened only when a sheet is read from it (`--sheet -`).
  stdin: () => process.stdin,
  stdinIsTTY: isatty(0),
});
