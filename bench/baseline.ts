/**
 * bench/baseline.json: figures recorded before issue 13 changed anything (`--record` on a bench
 * section writes its part), so later runs print what they measure next to what it was.
 */
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const FILE = fileURLToPath(new URL('./baseline.json', import.meta.url));

export interface BundleBaseline {
  readonly importMs: number;
  readonly firstMs: number;
  readonly p50: number;
  readonly p95: number;
  readonly cpuMs: number;
}

export interface Baseline {
  /** When and at which commit the figures were taken. */
  readonly recorded: string;
  readonly commit: string;
  readonly bundles?: Readonly<Record<string, BundleBaseline>>;
  /** The local server's figures by name (as the registration section prints them). */
  readonly server?: Readonly<Record<string, number>>;
}

export async function readBaseline(): Promise<Baseline | undefined> {
  try {
    return JSON.parse(await readFile(FILE, 'utf8')) as Baseline;
  } catch {
    return undefined;
  }
}

export async function recordBaseline<Part extends 'bundles' | 'server'>(part: Part, figures: NonNullable<Baseline[Part]>): Promise<void> {
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  const current = (await readBaseline()) ?? { recorded: '', commit: '' };
  const next = { ...current, recorded: new Date().toISOString().slice(0, 16) + 'Z', commit, [part]: figures };
  await writeFile(FILE, `${JSON.stringify(next, null, 2)}\n`);
}
