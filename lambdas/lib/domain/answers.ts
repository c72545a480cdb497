/**
 * What the flows answer, as domain values: the workset detail plus what an action adds to it.
 * Handlers turn these into HTTP answers; schemas/responses.ts documents them and checks (at
 * compile time) that the documented shapes are these.
 */
import type { HistoryEntry } from './workset.ts';
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
