/**
 * Which sentinels a control folder holds for each state (reference §4.4, §4.5). DynamoDB is
 * authoritative; the folder follows it. The monitor acts on `daylily.ready` unless it also sees
 * `daylily.ignore`, `daylily.error`, `daylily.complete` or `daylily.in_progress`, so a folder
 * holds exactly one state sentinel (or none), and stale ones are deleted BEFORE the new one is
 * written: between the two steps the folder has no state sentinel, which the monitor skips.
 */
import { SENTINELS, type SentinelName } from './sentinels.ts';
import type { WorksetRecord, WorksetState } from './workset.ts';

/** The sentinels that say what state a workset is in (the lock is about the lease, not the state). */
export const STATE_SENTINELS: readonly SentinelName[] = [
  SENTINELS.ready,
  SENTINELS.inProgress,
  SENTINELS.error,
  SENTINELS.complete,
  SENTINELS.ignore,
];

/**
 * The state sentinel of each state. `retrying` has none: the worker protocol (DynamoDB) brings
 * it back once its backoff has passed, and a folder without a state sentinel is one the monitor
 * leaves alone. `failed` and `canceled` are `daylily.error` (the monitor's "stop" signal) whose
 * body says which; `deleted` is `daylily.ignore`. `archived` keeps the sentinel of the state it
 * was archived from (it moves with the folder).
 */
export const STATE_SENTINEL: Readonly<Record<WorksetState, SentinelName | undefined>> = {
  registering: undefined,
  ready: SENTINELS.ready,
  in_progress: SENTINELS.inProgress,
  complete: SENTINELS.complete,
  error: SENTINELS.error,
  retrying: undefined,
  failed: SENTINELS.error,
  canceled: SENTINELS.error,
  ignored: SENTINELS.ignore,
  archived: undefined,
  deleted: SENTINELS.ignore,
};

export function sentinelOf(record: Pick<WorksetRecord, 'state' | 'archived_from'>): SentinelName | undefined {
  if (record.state === 'archived') return record.archived_from ? STATE_SENTINEL[record.archived_from] : undefined;
  return STATE_SENTINEL[record.state];
}

export interface SentinelPut {
  readonly name: SentinelName;
  readonly body: string;
}

/** What to do to a folder, in order: delete these, then put those. */
export interface SentinelPlan {
  readonly delete: readonly SentinelName[];
  readonly put: readonly SentinelPut[];
}

/** Sentinel bodies are one line: the monitor's index files are `{workset}\t{content}` lines. */
const oneLine = (text: string): string => text.replace(/[\t\r\n]+/g, ' ').trim().slice(0, 1000);

export function stateSentinelBody(record: WorksetRecord, at: string, reason: string): string {
  const details = oneLine(record.error_details ?? reason);
  const state = record.state === 'archived' ? record.archived_from : record.state;
  switch (state) {
    case 'error':
      return `${at}\t${details}`;
    case 'failed':
      return `${at}\tfailed: ${details}`;
    case 'canceled':
      return `${at}\tcanceled: ${oneLine(record.cancel_reason ?? reason)}`;
    case 'ignored':
    case 'deleted':
      return `${at}\t${state}: ${oneLine(reason)}`;
    default:
      return at;
  }
}

export function leaseSentinelBody(record: Pick<WorksetRecord, 'lock_owner' | 'lease_epoch'>, at: string): string {
  return `${at}\tLocked by ${oneLine(record.lock_owner ?? '')} (lease_epoch ${record.lease_epoch ?? 0})`;
}

/**
 * The plan after a state change: remove every other state sentinel (and the lock when nobody
 * holds the lease any more), then write the new state's sentinel.
 */
export function planForState(record: WorksetRecord, at: string, reason: string): SentinelPlan {
  const wanted = sentinelOf(record);
  const stale = STATE_SENTINELS.filter((name) => name !== wanted);
  return {
    delete: record.lock_owner ? stale : [...stale, SENTINELS.lock],
    put: wanted ? [{ name: wanted, body: stateSentinelBody(record, at, reason) }] : [],
  };
}

/** The full plan that makes a folder match its record (used to repair an unsynced folder). */
export function planForRecord(record: WorksetRecord, at: string, reason: string): SentinelPlan {
  const plan = planForState(record, at, reason);
  return record.lock_owner ? { ...plan, put: [...plan.put, { name: SENTINELS.lock, body: leaseSentinelBody(record, at) }] } : plan;
}

/**
 * How the monitor reads a folder (reference §4.5, its report precedence): the state it would act
 * on or report. `none` = no state sentinel, the monitor skips the folder.
 */
export type MonitorReading = 'ignore' | 'error' | 'complete' | 'in_progress' | 'ready' | 'none';

export function monitorReading(present: Iterable<string>): MonitorReading {
  const names = new Set(present);
  if (names.has(SENTINELS.ignore)) return 'ignore';
  if (names.has(SENTINELS.error)) return 'error';
  if (names.has(SENTINELS.complete)) return 'complete';
  if (names.has(SENTINELS.inProgress)) return 'in_progress';
  if (names.has(SENTINELS.ready)) return 'ready';
  return 'none';
}

/** What the monitor should read for a record: its state sentinel, without competing ones. */
export function expectedReading(record: Pick<WorksetRecord, 'state' | 'archived_from'>): MonitorReading {
  const wanted = sentinelOf(record);
  switch (wanted) {
    case SENTINELS.ignore:
      return 'ignore';
    case SENTINELS.error:
      return 'error';
    case SENTINELS.complete:
      return 'complete';
    case SENTINELS.inProgress:
      return 'in_progress';
    case SENTINELS.ready:
      return 'ready';
    default:
      return 'none';
  }
}
