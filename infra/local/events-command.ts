/**
 * `daylily-workset-api events tail [--lines N] [--follow] [--json] [--data-dir DIR]`: the
 * state-change events the local server's stream consumer published, one JSON line each in
 * `{data dir}/events/{day}.jsonl` (or DAYLILY_EVENTS_DIR): the last N, then with --follow the new
 * ones as they are appended. Reads files only: no emulator is started.
 */
import { open, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { DELIVERY_ENV } from '../../lambdas/lib/config/delivery-settings.ts';
import type { StateChangeEvent } from '../../lambdas/lib/domain/state-change-event.ts';
import { DEFAULT_DATA_DIR, UsageError, USAGE } from './cli.ts';
import { STANDARD_OUTPUT, type CommandOutput } from './backend-command.ts';

const OPTIONS = {
  lines: { type: 'string', default: '20' },
  follow: { type: 'boolean', short: 'f', default: false },
  json: { type: 'boolean', default: false },
  'data-dir': { type: 'string', default: DEFAULT_DATA_DIR },
  help: { type: 'boolean', default: false },
} as const;

/** Pause between looks for new lines with --follow. */
const FOLLOW_POLL_MS = 500;

/** One event, readably: when, which workset, from → to, the version, who, why. */
export function renderEvent(line: string): string {
  let event: StateChangeEvent;
  try {
    event = JSON.parse(line) as StateChangeEvent;
  } catch {
    return line;
  }
  const { detail } = event;
  return [detail.time, detail.workset_id, `${detail.from ?? '-'} -> ${detail.to}`, `v${detail.version}`, detail.actor, detail.reason].join('  ');
}

async function eventFiles(directory: string): Promise<string[]> {
  const names = await readdir(directory).catch(() => [] as string[]);
  return names.filter((name) => name.endsWith('.jsonl')).sort().map((name) => path.join(directory, name));
}

export async function eventsCommand(argv: readonly string[], io: CommandOutput = STANDARD_OUTPUT, signal?: AbortSignal): Promise<number> {
  let values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: true }));
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const lines = Number(values.lines);
  if (positionals.join(' ') !== 'tail' || !Number.isInteger(lines) || lines < 0) {
    io.err(`${new UsageError(positionals.join(' ') !== 'tail' ? 'events: the one subcommand is `tail`.' : `--lines must be a whole number, not "${values.lines}".`).message}\n\n${USAGE}`);
    return 2;
  }
  const directory = process.env[DELIVERY_ENV.eventsDir]?.trim() || path.resolve(values['data-dir'], 'events');
  const show = (line: string) => io.out(`${values.json ? line : renderEvent(line)}\n`);

  // The last N lines of all days, oldest first.
  const seen = new Map<string, number>();
  const all: string[] = [];
  for (const file of await eventFiles(directory)) {
    const text = await readFile(file, 'utf8');
    // Whole lines only: one being appended now is read with --follow once it is complete.
    const complete = text.slice(0, text.lastIndexOf('\n') + 1);
    seen.set(file, Buffer.byteLength(complete));
    all.push(...complete.split('\n').filter((line) => line.trim() !== ''));
  }
  if (all.length === 0 && !values.follow) io.err(`No events in ${directory} yet: the local server writes them there as workset states change.\n`);
  for (const line of lines === 0 ? [] : all.slice(-lines)) show(line);
  if (!values.follow) return 0;

  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  signal?.addEventListener('abort', onSignal);
  try {
    while (!stop.signal.aborted) {
      await sleep(FOLLOW_POLL_MS, undefined, { signal: stop.signal }).catch(() => undefined);
      for (const file of await eventFiles(directory)) {
        const from = seen.get(file) ?? 0;
        const size = (await stat(file)).size;
        if (size <= from) continue;
        const handle = await open(file, 'r');
        try {
          const { buffer, bytesRead } = await handle.read(Buffer.alloc(size - from), 0, size - from, from);
          const text = buffer.subarray(0, bytesRead).toString('utf8');
          // Only whole lines: a line being appended is read on the next look.
          const complete = text.slice(0, text.lastIndexOf('\n') + 1);
          seen.set(file, from + Buffer.byteLength(complete));
          for (const line of complete.split('\n').filter((candidate) => candidate.trim() !== '')) show(line);
        } finally {
          await handle.close();
        }
      }
    }
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
  }
}
