/**
 * Exact queue statistics in constant time: every state change adds -1 to its old state and +1 to
 * its new one on one of a fixed number of counter shards, in the same transaction as the change.
 * Reading the stats reads every shard (one BatchGetItem) and sums, whatever the table's size.
 * Shards spread the write load: one counter item would be a hot key under a busy queue.
 */
import { WORKSET_STATES, type WorksetState } from './workset.ts';

export const COUNTER_SHARDS = 16;

/** Shard item ids live in the worksets table; `#` never occurs in a workset id. */
export function counterShardId(shard: number): string {
  return `#queue-stats#${String(shard).padStart(2, '0')}`;
}

export const COUNTER_SHARD_IDS: readonly string[] = /* @__PURE__ */ Array.from({ length: COUNTER_SHARDS }, (_, shard) => counterShardId(shard));

export function randomShardId(random: () => number = Math.random): string {
  return counterShardId(Math.floor(random() * COUNTER_SHARDS) % COUNTER_SHARDS);
}

/** A change of counts: state → delta. */
export type CountDelta = Partial<Record<WorksetState, number>>;

export function moveDelta(from: WorksetState | null, to: WorksetState | null): CountDelta {
  const delta: CountDelta = {};
  if (from) delta[from] = (delta[from] ?? 0) - 1;
  if (to) delta[to] = (delta[to] ?? 0) + 1;
  return delta;
}

export interface QueueStats {
  /** Every state, zeros included. */
  readonly queue_depth: Readonly<Record<WorksetState, number>>;
  /** Worksets that exist (hard-deleted ones are gone; soft-deleted ones count as `deleted`). */
  readonly total_worksets: number;
  readonly ready_worksets: number;
  readonly in_progress_worksets: number;
  readonly error_worksets: number;
  readonly retrying_worksets: number;
}

export function sumShards(shards: ReadonlyArray<Readonly<Record<string, unknown>>>): QueueStats {
  const depth = Object.fromEntries(WORKSET_STATES.map((state) => [state, 0])) as Record<WorksetState, number>;
  for (const shard of shards) {
    for (const state of WORKSET_STATES) {
      const value = shard[state];
      if (typeof value === 'number' && Number.isInteger(value)) depth[state] += value;
    }
  }
  const total = WORKSET_STATES.reduce((sum, state) => sum + depth[state], 0);
  return {
    queue_depth: depth,
    total_worksets: total,
    ready_worksets: depth.ready,
    in_progress_worksets: depth.in_progress,
    error_worksets: depth.error,
    retrying_worksets: depth.retrying,
  };
}
