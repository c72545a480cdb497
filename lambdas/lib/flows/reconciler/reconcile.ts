/**
 * The reconciler: one pass reads what can drift (snapshot.ts), then repairs step by step (the
 * STEPS below), within a time budget, and leaves a cursor for the next pass: where the folder
 * scan stopped, the window of state changes still to look at, and the next counter to recount.
 * Run by the schedule entry every few minutes, by `npx daylily-workset-api reconcile`, and by the
 * local server. Every repair is conditional on what it read (the flows it calls are), so a pass
 * runs beside live traffic and beside another pass; the cursor's write is conditional too, and a
 * pass that loses it has its progress redone by the next one.
 */
import type { WorksetState } from '../../domain/workset.ts';
import { logger } from '../../logging.ts';
import type { ReconcilerCursor } from '../../ports/worksets.ts';
import type { ReconcilerDeps } from '../deps.ts';
import { checkFolders, QUIET_SECONDS, type FolderScan } from './folders.ts';
import { Pass, passMetrics, type PassReport, type ReconcileOptions } from './pass.ts';
import { recountQueue } from './queue-recount.ts';
import { recountQuotaUsage } from './quota-recount.ts';
import { recoverLapsedLeases, repairFlagged, settleRegistrations } from './record-repairs.ts';
import { readSnapshot, type Snapshot } from './snapshot.ts';

export type { PassReport, ReconcileOptions };

/** How far back the first pass looks for state changes. */
export const FIRST_WINDOW_SECONDS = 3600;
/** How far back any pass looks at most (a reconciler stopped for days does not read them all). */
export const LONGEST_WINDOW_SECONDS = 24 * 3600;
/** The next pass's window starts this long before this one's started: the changes it left alone as too recent. */
export const WINDOW_OVERLAP_SECONDS = QUIET_SECONDS + 60;

interface PassContext {
  readonly deps: ReconcilerDeps;
  readonly pass: Pass;
  readonly snapshot: Snapshot;
  readonly cursor: ReconcilerCursor | undefined;
  scan?: FolderScan;
  rotation?: WorksetState;
  quotaAfter?: string;
}

/**
 * The repair steps, in order: record repairs first (they change records the folder checks would
 * otherwise judge on stale reads), then the folders, then the counters (after every change the
 * pass made). Adding a kind of repair is one more step, and its kind in REPAIR_KINDS.
 */
const STEPS: ReadonlyArray<(context: PassContext) => Promise<void>> = [
  ({ deps, pass, snapshot }) => settleRegistrations(deps, pass, snapshot),
  ({ deps, pass, snapshot }) => recoverLapsedLeases(deps, pass, snapshot),
  ({ deps, pass, snapshot }) => repairFlagged(deps, pass, snapshot),
  async (context) => {
    context.scan = await checkFolders(context.deps, context.pass, context.snapshot, context.cursor?.scanAfter);
  },
  async (context) => {
    context.rotation = await recountQueue(context.deps, context.pass, context.cursor?.recountNext);
  },
  async (context) => {
    context.quotaAfter = await recountQuotaUsage(context.deps, context.pass, context.snapshot, context.cursor?.quotaAfter);
  },
];

const iso = (ms: number): string => new Date(ms).toISOString();

export async function reconcile(deps: ReconcilerDeps, options: ReconcileOptions = {}): Promise<PassReport> {
  const pass = new Pass(deps, options);
  const cursor = await deps.worksets.readCursor();
  const start = pass.started.getTime();
  // Never after this pass's start (a cursor written by a clock ahead of this one), never longer than a day.
  const since = iso(Math.min(start, Math.max(cursor?.changesSince ? Date.parse(cursor.changesSince) : start - FIRST_WINDOW_SECONDS * 1000, start - LONGEST_WINDOW_SECONDS * 1000)));
  const snapshot = await readSnapshot(deps, pass, { since, until: iso(start) });
  // A pass out of time before a rotating step leaves its turn where the cursor had it.
  const context: PassContext = { deps, pass, snapshot, cursor, ...(cursor?.recountNext ? { rotation: cursor.recountNext } : {}), ...(cursor?.quotaAfter ? { quotaAfter: cursor.quotaAfter } : {}) };
  for (const step of STEPS) {
    if (pass.timeUp()) break;
    await step(context);
  }
  const report = pass.report();

  if (!pass.dryRun) {
    const scanAfter = context.scan ? context.scan.scanAfter : cursor?.scanAfter;
    const written = await deps.worksets.writeCursor(
      {
        changesSince: context.scan?.changedChecked ? iso(start - WINDOW_OVERLAP_SECONDS * 1000) : since,
        ...(scanAfter ? { scanAfter } : {}),
        ...(context.rotation ? { recountNext: context.rotation } : {}),
        ...(context.quotaAfter ? { quotaAfter: context.quotaAfter } : {}),
        updatedAt: deps.now().toISOString(),
      },
      cursor?.version,
    );
    if (!written) logger.info('another reconciler pass moved the cursor first; the next pass goes on from there');
    deps.metrics(passMetrics(report, deps.now()));
  }
  const drift = Object.fromEntries(Object.entries(report.kinds).filter(([, counts]) => counts.found > 0));
  logger.info('reconciler pass', { dry_run: report.dry_run, complete: report.complete, duration_ms: report.duration_ms, read: report.read, drift });
  return report;
}
