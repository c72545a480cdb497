/**
 * The reconcile index's attributes (stores/tables.ts, WORKSET_INDEXES.reconcile), which the
 * worksets adapter keeps and hides from the port (a record read back never carries them):
 * - on a record flagged `sentinel_sync_pending`: `reconcile_key` = `sentinels`, `reconcile_at` =
 *   when it was flagged; set and removed with the flag, in the same request;
 * - on a history item: `reconcile_key` = `changes#{UTC hour of the change}`, `reconcile_at` = the
 *   change's time; written with the item, in the change's transaction.
 */
export const RECONCILE_KEY = 'reconcile_key';
export const RECONCILE_AT = 'reconcile_at';

/** The partition of the flagged records. */
export const FLAGGED_PARTITION = 'sentinels';

/** The partition of the changes made in `at`'s hour: `changes#2026-03-01T12`. */
export function changesPartition(at: string): string {
  return `changes#${at.slice(0, 13)}`;
}

/** Every hour's partition from `since`'s to `until`'s, in order. */
export function changesPartitions(since: string, until: string): string[] {
  const partitions: string[] = [];
  const last = Date.parse(`${until.slice(0, 13)}:00:00.000Z`);
  for (let hour = Date.parse(`${since.slice(0, 13)}:00:00.000Z`); hour <= last; hour += 3_600_000) {
    partitions.push(changesPartition(new Date(hour).toISOString()));
  }
  return partitions;
}
