/** Every way the local server is started carries the same V8 flags (infra/local/node-flags.ts). */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/bundling.ts';
import { LOCAL_SERVER_NODE_FLAGS } from '../../infra/local/node-flags.ts';

const flags = LOCAL_SERVER_NODE_FLAGS.join(' ');

describe('the local server V8 flags', () => {
  it('npm start passes them', () => {
    const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(manifest.scripts.start).toBe(`node ${flags} bin/daylily-workset-api.js`);
  });

  it('the launcher runs with them', () => {
    const firstLine = readFileSync(path.join(REPO_ROOT, 'bin', 'daylily-workset-api.js'), 'utf8').split('\n')[0];
    expect(firstLine).toBe(`#!/usr/bin/env -S node ${flags}`);
  });

  it('node accepts them', () => {
    const run = spawnSync(process.execPath, [...LOCAL_SERVER_NODE_FLAGS, '-e', 'process.exit(0)'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
