/** Every way the local server is started carries the same V8 settings (infra/local/node-flags.ts). */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/bundling.ts';
import { LOCAL_SERVER_NODE_FLAGS, NODE_20_TIERING_FLAG, tuneTiering } from '../../infra/local/node-flags.ts';

const flags = LOCAL_SERVER_NODE_FLAGS.join(' ');
const launcher = readFileSync(path.join(REPO_ROOT, 'bin', 'daylily-workset-api.js'), 'utf8');

describe('the local server V8 flags', () => {
  it('npm start passes them', () => {
    const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(manifest.scripts.start).toBe(`node ${flags} bin/daylily-workset-api.js`);
  });

  it('the launcher runs with them', () => {
    expect(launcher.split('\n')[0]).toBe(`#!/usr/bin/env -S node ${flags}`);
  });

  it('node accepts them', () => {
    const run = spawnSync(process.execPath, [...LOCAL_SERVER_NODE_FLAGS, '-e', 'process.exit(0)'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});

describe('the optimizing-compiler budget (Node 20 only)', () => {
  const applied = (v8Version: string) => {
    const set: string[] = [];
    return { did: tuneTiering(v8Version, (flag) => set.push(flag)), set };
  };

  it('is set on V8 11 (Node 20), and on no later V8', () => {
    expect(applied('11.3.244.8-node.33')).toEqual({ did: true, set: [NODE_20_TIERING_FLAG] });
    expect(applied('12.4.254.21-node.33')).toEqual({ did: false, set: [] });
    expect(applied('13.6.233.17-node.36')).toEqual({ did: false, set: [] });
  });

  it('is a flag this V8 knows exactly when tuneTiering applies it (node exits 9 on a bad option)', () => {
    const run = spawnSync(process.execPath, [NODE_20_TIERING_FLAG, '-e', 'process.exit(0)'], { encoding: 'utf8' });
    const appliesHere = tuneTiering(process.versions.v8, () => undefined);
    expect(run.status).toBe(appliesHere ? 0 : 9);
  });

  it('the launcher applies it before it loads the server', () => {
    const tune = launcher.indexOf('tuneTiering()');
    expect(tune).toBeGreaterThan(0);
    expect(tune).toBeLessThan(launcher.indexOf("import('../infra/local/cli.ts')"));
  });
});
