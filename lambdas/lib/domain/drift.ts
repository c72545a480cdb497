/**
 * What the reconciler (flows/reconciler/) looks for: the kinds of drift it repairs, which states
 * can drift, and what a control folder should hold for a record. Pure.
 */
import { sentinelOf, STATE_SENTINELS } from './sentinel-rules.ts';
import { SENTINELS, type SentinelName } from './sentinels.ts';
import { WORKSET_STATES, type WorksetRecord, type WorksetState } from './workset.ts';

/**
 * The kinds of drift a pass repairs, each counted (found, repaired, failed) and logged per repair:
 * - `registration`: a `registering` record past the grace period (the settle pass);
 * - `expired-lease`: an `in_progress` run whose lease ran out (recorded as a transient failure);
 * - `flagged`: a record flagged `sentinel_sync_pending` (its folder made to match it);
 * - `sentinels`: a folder whose sentinels differ from what its record's state implies;
 * - `stray-ready`: a folder holding `daylily.ready` with no `ready` record of that folder;
 * - `queue-counter`: a state's counter differing from the records in that state;
 * - `quota-usage`: a customer's slot counter differing from its records that hold a slot.
 */
export const REPAIR_KINDS = ['registration', 'expired-lease', 'flagged', 'sentinels', 'stray-ready', 'queue-counter', 'quota-usage'] as const;
export type RepairKind = (typeof REPAIR_KINDS)[number];

/** The states work is still pending in: every pass reads all their records (the state index). */
export const ACTIVE_STATES = ['registering', 'ready', 'in_progress', 'retrying'] as const satisfies readonly WorksetState[];

/** The other states: their counters are recounted one state a pass, in turn (each recount reads the whole state). */
export const RECOUNT_ROTATION: readonly WorksetState[] = WORKSET_STATES.filter((state) => !(ACTIVE_STATES as readonly WorksetState[]).includes(state));

/** The state recounted after `state` in the rotation. */
export function nextInRotation(state: WorksetState | undefined): WorksetState {
  const index = state === undefined ? -1 : RECOUNT_ROTATION.indexOf(state);
  return RECOUNT_ROTATION[(index + 1) % RECOUNT_ROTATION.length]!;
}

const SENTINEL_NAMES: ReadonlySet<string> = new Set(Object.values(SENTINELS));

/** The sentinels among a folder's file names (relative to the folder). */
export function sentinelsIn(names: Iterable<string>): Set<SentinelName> {
  return new Set([...names].filter((name): name is SentinelName => SENTINEL_NAMES.has(name)));
}

/** What the folder of `record` should hold: its state's sentinel (if any), and `daylily.lock` while leased. */
export function expectedSentinels(record: Pick<WorksetRecord, 'state' | 'archived_from' | 'lock_owner'>): Set<SentinelName> {
  const wanted = sentinelOf(record);
  return new Set([...(wanted ? [wanted] : []), ...(record.lock_owner !== undefined ? [SENTINELS.lock] : [])]);
}

export interface SentinelDrift {
  /** Sentinels the folder should hold and does not. */
  readonly missing: readonly SentinelName[];
  /** Sentinels the folder holds and should not. */
  readonly extra: readonly SentinelName[];
}

/** How a folder's sentinels differ from what `record` implies; undefined when they agree. */
export function sentinelDrift(record: Pick<WorksetRecord, 'state' | 'archived_from' | 'lock_owner'>, present: ReadonlySet<SentinelName>): SentinelDrift | undefined {
  const expected = expectedSentinels(record);
  const missing = [...expected].filter((name) => !present.has(name));
  const extra = [...present].filter((name) => !expected.has(name));
  return missing.length === 0 && extra.length === 0 ? undefined : { missing, extra };
}

/**
 * Whether a folder is worth reading the record of when it is not the folder of an active record
 * (every pass knows them all): it shows a sentinel only active states have (`daylily.ready`,
 * `daylily.in_progress`), or not exactly one state sentinel (only `registering` and `retrying`
 * records, both active, may show none, and no record shows two). A folder showing one terminal
 * sentinel is left alone: which terminal state its record is in, only a recent change can tell.
 */
export function needsItsRecord(present: ReadonlySet<SentinelName>): boolean {
  const states = STATE_SENTINELS.filter((name) => present.has(name));
  return present.has(SENTINELS.ready) || present.has(SENTINELS.inProgress) || states.length !== 1;
}

/** The workset a key of the control prefix belongs to, and the key's name inside the folder. */
export function folderOf(controlPrefix: string, key: string): { readonly worksetId: string; readonly name: string } | undefined {
  if (!key.startsWith(controlPrefix)) return undefined;
  const rest = key.slice(controlPrefix.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) return undefined;
  return { worksetId: rest.slice(0, slash), name: rest.slice(slash + 1) };
}
