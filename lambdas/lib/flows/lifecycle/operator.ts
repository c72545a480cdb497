/** The operator's reads: one workset, filtered listings, exact queue statistics. */
import type { QueueStats } from '../../domain/queue-counters.ts';
import type { Priority, WorksetState } from '../../domain/workset.ts';
import type { TableDeps } from '../deps.ts';
import { ownedRecord } from '../ownership.ts';
import { toWorksetDetail, type WorksetDetail } from '../../domain/workset-detail.ts';
import { MAX_LISTING_BYTES, type WorksetListing } from '../../domain/answers.ts';

export async function getWorkset(deps: TableDeps, worksetId: string): Promise<WorksetDetail> {
  return toWorksetDetail(ownedRecord(await deps.worksets.getWorkset(worksetId), worksetId));
}

/**
 * By state (queue order: urgent first, oldest first), by customer (newest first), or every
 * state in turn; `priority` narrows either. Cursor pagination, never a Scan.
 */
export async function listWorksets(
  deps: TableDeps,
  query: { state?: WorksetState; priority?: Priority; customer_id?: string; limit: number; next_token?: string },
): Promise<WorksetListing> {
  const page = await deps.worksets.listWorksets({
    limit: query.limit,
    maxBytes: MAX_LISTING_BYTES,
    ...(query.state ? { state: query.state } : {}),
    ...(query.priority ? { priority: query.priority } : {}),
    ...(query.customer_id ? { customerId: query.customer_id } : {}),
    ...(query.next_token ? { nextToken: query.next_token } : {}),
  });
  return { worksets: page.items.map((record) => toWorksetDetail(record)), next_token: page.nextToken ?? null };
}

/** Exact counts per state from the counter shards: one BatchGetItem, whatever the table holds. */
export async function queueStats(deps: TableDeps): Promise<QueueStats> {
  return deps.worksets.queueStats();
}
