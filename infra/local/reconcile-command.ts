/**
 * `daylily-workset-api reconcile [--once] [--dry-run] [--full-recount] [--json]`: reconciler passes
 * (lambdas/lib/flows/reconciler/reconcile.ts) against the same backends as the server — the
 * embedded emulators (stop a server using the same data directory first, or point the command at
 * its emulators with the endpoint variables), --aws, or the endpoint variables. Without --once it
 * runs a pass every period of the schedule entry until stopped. Each pass prints one line per
 * drift and a summary. Against a deployed stack whose schedule already runs passes, an extra one
 * is safe (every repair is conditional) but does the same work again. Exits 1 when a repair failed.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { PassReport } from '../../lambdas/lib/flows/reconciler/reconcile.ts';
import { ENTRY_POINTS, isScheduleEntry } from '../entry-points.ts';
import { runBackendCommand, STANDARD_OUTPUT, type CommandOutput } from './backend-command.ts';
import { BACKEND_OPTIONS, backendOptions, UsageError, type BackendOptions } from './cli.ts';

const OPTIONS = {
  ...BACKEND_OPTIONS,
  once: { type: 'boolean', default: false },
  'dry-run': { type: 'boolean', default: false },
  'full-recount': { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
} as const;

export interface ReconcileCommandOptions extends BackendOptions {
  readonly once: boolean;
  readonly dryRun: boolean;
  readonly fullRecount: boolean;
  readonly json: boolean;
}

export function parseReconcileCli(argv: readonly string[]): ReconcileCommandOptions {
  let values;
  try {
    ({ values } = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return { ...backendOptions(values), once: values.once, dryRun: values['dry-run'], fullRecount: values['full-recount'], json: values.json };
}

/** One line per drift (outcome, kind, target, action, detail), then the pass's summary. */
export function renderPass(report: PassReport): string {
  const lines = report.repairs.map((entry) => [entry.outcome, entry.kind, entry.target, entry.action, ...(entry.detail ? [entry.detail] : [])].join('\t'));
  const kinds = Object.entries(report.kinds).filter(([, counts]) => counts.found > 0);
  const total = (field: 'found' | 'repaired' | 'failed') => kinds.reduce((sum, [, counts]) => sum + counts[field], 0);
  const { active, flagged, changed, folders } = report.read;
  lines.push(
    `${report.dry_run ? 'dry run: ' : ''}${total('found')} found, ${total('repaired')} repaired, ${total('failed')} failed` +
      (kinds.length ? ` (${kinds.map(([kind, counts]) => `${kind} ${counts.found}`).join(', ')})` : '') +
      ` in ${report.duration_ms} ms${report.complete ? '' : ', out of time: the next pass goes on'}; read ${active} active, ${flagged} flagged, ${changed} changed records, ${folders} folders.`,
  );
  return `${lines.join('\n')}\n`;
}

export function reconcileCommand(argv: readonly string[], io: CommandOutput = STANDARD_OUTPUT): Promise<number> {
  return runBackendCommand(argv, io, parseReconcileCli, 'The reconciler pass', async (options, prepared) => {
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      // Loaded only now: the wiring reads the settings the backend's preparation put in place.
      const [{ reconcilerDepsFrom }, { reconcile }] = await Promise.all([
        import('../../lambdas/lib/wiring/reconciler-deps.ts'),
        import('../../lambdas/lib/flows/reconciler/reconcile.ts'),
      ]);
      // EMF documents are for CloudWatch: printed only with --verbose.
      const deps = reconcilerDepsFrom(prepared.settings, options.verbose ? {} : { metrics: () => undefined });
      const period = (ENTRY_POINTS.find(isScheduleEntry)?.trigger.rate.minutes ?? 5) * 60_000;
      let failed = false;
      for (;;) {
        const report = await reconcile(deps, { dryRun: options.dryRun, fullRecount: options.fullRecount, actor: 'operator:reconcile-command' });
        failed ||= Object.values(report.kinds).some((counts) => counts.failed > 0);
        io.out(options.json ? `${JSON.stringify(report)}\n` : renderPass(report));
        if (options.once || stop.signal.aborted) break;
        await sleep(period, undefined, { signal: stop.signal }).catch(() => undefined);
        if (stop.signal.aborted) break;
      }
      return failed ? 1 : 0;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  });
}
