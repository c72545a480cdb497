#!/usr/bin/env -S node --max-semi-space-size=2 --heap-growing-percent=30 --v8-pool-size=1
// Launcher for the local server (`npm start -- <flags>`): the sources are TypeScript, run through
// tsx's loader, so there is no build step between editing a handler and serving it. The heap
// flags are infra/local/node-flags.ts's (why: there; `node bin/…` without them runs, just larger).
import { register } from 'tsx/esm/api';

register();
// Before the server's modules load: Node 20's optimizing-compiler budget (why: node-flags.ts).
(await import('../infra/local/node-flags.ts')).tuneTiering();
const { main } = await import('../infra/local/cli.ts');
process.exit(await main(process.argv.slice(2)));
