/**
 * What the flows answer, as domain values: the workset detail plus what an action adds to it.
 * Handlers turn these into HTTP answers; schemas/responses.ts documents them and checks (at
 * compile time) that the documented shapes are these.
 */
import type { HistoryEntry, WorksetState } from './workset.ts';
import type { WorksetDetail } from './workset-detail.ts';

/**
 * The records a listing page may carry, in bytes: a function's answer must stay under Lambda's
 * 6 MB response limit, whatever each workset holds; a page then ends early, its cursor going on.
 */
export const MAX_LISTING_BYTES = 4 * 1024 * 1024;

/** One page of a listing. */
export interface WorksetListing {
  readonly worksets: readonly WorksetDetail[];
  readonly next_token: string | null;
}

/** An archive or restore answer: the workset, and the old folder if it could not be emptied. */
export type MoveAnswer = WorksetDetail & { readonly leftover_folder?: string };

export interface HardDeleteAnswer {
  readonly workset_id: string;
  readonly hard_delete: true;
  readonly deleted: true;
  readonly objects_deleted: number;
}

export type DeleteAnswer = WorksetDetail | HardDeleteAnswer;

/** One page of a workset's full history, oldest first (`logs`: the route's documented name). */
export interface HistoryAnswer {
  readonly workset_id: string;
  readonly logs: readonly HistoryEntry[];
  readonly next_token: string | null;
}

export interface LeaseAnswer {
  /** True when this call made a new grant (a new epoch); false for the owner's idempotent re-acquire. */
  readonly granted: boolean;
  readonly workset: WorksetDetail;
}

export interface ReleaseAnswer {
  /** False when nobody held the lease. */
  readonly released: boolean;
  readonly workset: WorksetDetail;
}

export interface FailureAnswer {
  readonly retry_scheduled: boolean;
  readonly workset: WorksetDetail;
}

/** What the settle pass (flows/registration/settle-registration.ts) did to a workset, or would do. */
export const SETTLE_ACTIONS = [
  /** Keyed, every file present: `daylily.ready` in place and the record flipped to `ready`. */
  'completed',
  /** Keyed, a file missing: `daylily.ready` withdrawn (fenced); a same-key retry completes it. */
  'withdrawn',
  /** Keyed, a file missing, no `daylily.ready`: nothing to do until the client retries with its key. */
  'awaiting-retry',
  /** Keyless: `daylily.ready` withdrawn, the record removed, then its files. */
  'rolled-back',
  /** `ready`, every file present, `daylily.ready` missing: the folder made to match the record. */
  'restored',
  /** `ready` with a registration file missing: reported; nothing can rewrite it. */
  'files-missing',
  /** `ready` with every file and `daylily.ready`: nothing to do. */
  'in-order',
  /** Younger than the grace period: it may belong to a request still at work. */
  'too-recent',
  /** Neither `registering` nor `ready`: nothing of registration's to settle. */
  'not-applicable',
  /** Removed since the pass listed it. */
  'not-found',
  /** Another request completed, deleted or settled it meanwhile; its `daylily.ready` now matches it. */
  'changed',
  /** A dependency failed (the pass over many records only; it can simply run again). */
  'failed',
] as const;
export type SettleAction = (typeof SETTLE_ACTIONS)[number];

export interface SettleResult {
  readonly workset_id: string;
  /** The state the pass found (null: no such record). */
  readonly state: WorksetState | null;
  /** What the pass did (a dry run: what it would do). */
  readonly action: SettleAction;
  /** Registration files missing from the folder (relative to it), when that decided the action. */
  readonly missing_files?: readonly string[];
  /** Why it failed (`failed` only). */
  readonly detail?: string;
}

export interface SettleSummary {
  readonly dry_run: boolean;
  readonly older_than_seconds: number;
  /** One per `registering` record found, in queue order. */
  readonly results: readonly SettleResult[];
  /** How many results had each action. */
  readonly counts: Readonly<Partial<Record<SettleAction, number>>>;
}

