/**
 * One reconciler pass's bookkeeping: its budget, what it read, what it found and repaired (one log
 * line per repair), and its report and metrics. The repairs themselves are in the other modules of
 * this folder; reconcile.ts runs them.
 */
import { REPAIR_KINDS, type RepairKind } from '../../domain/drift.ts';
import type { WorksetRecord } from '../../domain/workset.ts';
import { logger } from '../../logging.ts';
import { metricDocument } from '../../metrics.ts';
import type { ReconcilerDeps } from '../deps.ts';

export interface ReconcileOptions {
  /** Find and report, repair nothing, move no cursor. */
  readonly dryRun?: boolean;
  /** Who repairs (the history's `actor` of the changes a pass makes). Default `reconciler`. */
  readonly actor?: string;
  /** Wall time the pass may take; it stops at the next safe point past it and the next pass resumes. Default 240 s. */
  readonly budgetMs?: number;
  /** Recount every state's counter, not only the active ones and one other in turn. */
  readonly fullRecount?: boolean;
}

/** What happened to one drift: repaired, only found (a dry run, or it resolved itself), or a repair that failed. */
export type RepairOutcome = 'repaired' | 'found' | 'failed';

export interface RepairEntry {
  readonly kind: RepairKind;
  /** The workset id, or the state of a counter. */
  readonly target: string;
  readonly outcome: RepairOutcome;
  /** What was (or would be) done: the settle action, `recovered`, `synced`, `withdrawn`, `adjusted`… */
  readonly action: string;
  readonly detail?: string;
}

export interface KindCounts {
  readonly found: number;
  readonly repaired: number;
  readonly failed: number;
}

export interface PassReport {
  readonly dry_run: boolean;
  readonly started_at: string;
  readonly duration_ms: number;
  /** False when the budget ran out first: the next pass goes on from where this one stopped. */
  readonly complete: boolean;
  /** What the pass read: active records, flagged records, recently changed records, folders scanned. */
  readonly read: { readonly active: number; readonly flagged: number; readonly changed: number; readonly folders: number };
  readonly kinds: Readonly<Record<RepairKind, KindCounts>>;
  readonly repairs: readonly RepairEntry[];
}

export const METRICS_NAMESPACE = 'Daylily/Reconciler';

export class Pass {
  readonly started: Date;
  readonly dryRun: boolean;
  readonly actor: string;
  readonly fullRecount: boolean;
  private readonly startedMs = Date.now();
  private readonly deadline: number;
  private readonly counts = new Map<RepairKind, { found: number; repaired: number; failed: number }>(REPAIR_KINDS.map((kind) => [kind, { found: 0, repaired: 0, failed: 0 }]));
  private readonly entries: RepairEntry[] = [];
  /** Worksets a repair of this pass already changed or synced: later steps leave them alone. */
  readonly touched = new Set<string>();
  private cutShort = false;
  readonly read = { active: 0, flagged: 0, changed: 0, folders: 0 };

  constructor(deps: Pick<ReconcilerDeps, 'now'>, options: ReconcileOptions) {
    this.started = deps.now();
    this.dryRun = options.dryRun === true;
    this.actor = options.actor ?? 'reconciler';
    this.fullRecount = options.fullRecount === true;
    this.deadline = this.startedMs + (options.budgetMs ?? 240_000);
  }

  /** Whether the budget is spent; once it is, the pass is reported incomplete. */
  timeUp(): boolean {
    if (Date.now() >= this.deadline) this.cutShort = true;
    return this.cutShort;
  }

  /** Records one drift and what became of it, with its log line. */
  note(entry: RepairEntry): void {
    const counts = this.counts.get(entry.kind)!;
    counts.found += 1;
    if (entry.outcome === 'repaired') counts.repaired += 1;
    if (entry.outcome === 'failed') counts.failed += 1;
    this.entries.push(entry);
    const fields = { kind: entry.kind, target: entry.target, outcome: entry.outcome, action: entry.action, ...(entry.detail ? { detail: entry.detail } : {}), dry_run: this.dryRun };
    if (entry.outcome === 'failed') logger.error('reconciler repair failed', fields);
    else logger.info(entry.outcome === 'repaired' ? 'reconciler repair' : 'reconciler drift', fields);
  }

  /** Runs one repair; a dependency failure is noted as failed (the next pass tries again) and the pass goes on. */
  async attempt(kind: RepairKind, target: string, repair: () => Promise<void>): Promise<void> {
    try {
      await repair();
    } catch (error) {
      this.note({ kind, target, outcome: 'failed', action: 'error', detail: (error as Error).message });
    }
  }

  /** Leaves `record` to the later steps only if no repair of this pass touched it. */
  untouched(record: WorksetRecord | undefined): record is WorksetRecord {
    return record !== undefined && !this.touched.has(record.workset_id);
  }

  report(): PassReport {
    const kinds = Object.fromEntries([...this.counts].map(([kind, counts]) => [kind, { ...counts }])) as Record<RepairKind, KindCounts>;
    return {
      dry_run: this.dryRun,
      started_at: this.started.toISOString(),
      duration_ms: Date.now() - this.startedMs,
      complete: !this.cutShort,
      read: { ...this.read },
      kinds,
      repairs: [...this.entries],
    };
  }
}

/** The pass's metrics: per kind, drift found, repaired and failed; for the pass, its duration, reads and whether it finished. */
export function passMetrics(report: PassReport, at: Date): Record<string, unknown>[] {
  return [
    ...REPAIR_KINDS.map((kind) =>
      metricDocument(METRICS_NAMESPACE, { RepairKind: kind }, [
        { name: 'DriftFound', value: report.kinds[kind].found, unit: 'Count' },
        { name: 'DriftRepaired', value: report.kinds[kind].repaired, unit: 'Count' },
        { name: 'RepairsFailed', value: report.kinds[kind].failed, unit: 'Count' },
      ], at),
    ),
    metricDocument(METRICS_NAMESPACE, {}, [
      { name: 'PassDuration', value: report.duration_ms, unit: 'Milliseconds' },
      { name: 'ActiveWorksetsRead', value: report.read.active, unit: 'Count' },
      { name: 'FoldersScanned', value: report.read.folders, unit: 'Count' },
      { name: 'PassIncomplete', value: report.complete ? 0 : 1, unit: 'Count' },
    ], at),
  ];
}
