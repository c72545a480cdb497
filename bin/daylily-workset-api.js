#!/usr/bin/env node
// Launcher for the local server (`npm start -- <flags>`): the sources are TypeScript, run through
// tsx's loader, so there is no build step between editing a handler and serving it.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../infra/local/cli.ts');
process.exit(await main(process.argv.slice(2)));
