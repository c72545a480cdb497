/**
 * `daylily-workset-api settle [--older-than <duration>] [--dry-run] [--json]`: one settle pass
 * (lambdas/lib/flows/registration/settle-registration.ts) over every `registering` record older
 * than the duration (default: the grace period), against the same backends as the server: the
 * embedded emulators (their data in --data-dir; stop a server using it first), --aws, or the
 * endpoint variables. Prints one line per workset and a summary; exits 1 when a workset could not
 * be settled (run it again), 2 on a usage error.
 */
import { parseArgs } from 'node:util';
import type { SettleSummary } from '../../lambdas/lib/domain/answers.ts';
import { REGISTRATION_GRACE_SECONDS } from '../../lambdas/lib/domain/registration.ts';
import { runBackendCommand, STANDARD_OUTPUT, type CommandOutput } from './backend-command.ts';
import { BACKEND_OPTIONS, backendOptions, UsageError, type BackendOptions } from './cli.ts';

const OPTIONS = {
  ...BACKEND_OPTIONS,
  'older-than': { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
} as const;

export interface SettleCommandOptions extends BackendOptions {
  readonly olderThanSeconds: number;
  readonly dryRun: boolean;
  readonly json: boolean;
}

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `90`, `90s`, `10m`, `2h`, `1d` → seconds. */
export function parseDuration(text: string): number {
  const match = /^(\d{1,9})([smhd]?)$/.exec(text.trim());
  if (!match) throw new UsageError(`--older-than must be a duration such as 90s, 10m, 2h or 1d, not "${text}".`);
  return Number(match[1]) * UNIT_SECONDS[match[2] || 's']!;
}

export function parseSettleCli(argv: readonly string[]): SettleCommandOptions {
  let values;
  try {
    ({ values } = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return {
    ...backendOptions(values),
    olderThanSeconds: values['older-than'] === undefined ? REGISTRATION_GRACE_SECONDS : parseDuration(values['older-than']),
    dryRun: values['dry-run'],
    json: values.json,
  };
}

/** The pass's report, one line per workset: action, workset id, the state found, missing files. */
export function renderSummary(summary: SettleSummary): string {
  const lines = summary.results.map((result) =>
    [result.action, result.workset_id, result.state ?? 'gone', ...(result.missing_files?.length ? [`missing: ${result.missing_files.join(', ')}`] : []), ...(result.detail ? [result.detail] : [])].join('\t'),
  );
  const counts = Object.entries(summary.counts).map(([action, count]) => `${count} ${action}`);
  const verb = summary.dry_run ? 'would settle' : 'settled';
  lines.push(
    summary.results.length === 0
      ? `No registering record older than ${summary.older_than_seconds} s.`
      : `${verb} ${summary.results.length} registering record(s) older than ${summary.older_than_seconds} s: ${counts.join(', ')}.`,
  );
  return `${lines.join('\n')}\n`;
}

export type { CommandOutput };

export function settleCommand(argv: readonly string[], io: CommandOutput = STANDARD_OUTPUT): Promise<number> {
  return runBackendCommand(argv, io, parseSettleCli, 'The settle pass', async (options, prepared) => {
    if (!prepared.settings.controlBucket.ok) {
      io.err(`${prepared.settings.controlBucket.problem}\n`);
      return 1;
    }
    // Loaded only now: the wiring reads the settings the backend's preparation put in place.
    const [{ settleDeps }, { settleRegistrations }] = await Promise.all([
      import('../../lambdas/lib/wiring/settle-deps.ts'),
      import('../../lambdas/lib/flows/registration/settle-registration.ts'),
    ]);
    const summary = await settleRegistrations(settleDeps(), {
      olderThanSeconds: options.olderThanSeconds,
      dryRun: options.dryRun,
      actor: 'operator:settle-command',
    });
    io.out(options.json ? `${JSON.stringify(summary, null, 2)}\n` : renderSummary(summary));
    return summary.counts.failed ? 1 : 0;
  });
}
