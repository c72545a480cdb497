/**
 * The queue: leasable worksets in queue order (urgent, normal, low; oldest first), and the claim
 * that leases the first one it can.
 */
import type { WorksetRecord } from '../../domain/workset.ts';
import { toWorksetDetail, type WorksetDetail } from '../../domain/workset-detail.ts';
import type { QueueCandidate } from '../../ports/worksets.ts';
import type { ControlBucketDeps, TableDeps } from '../deps.ts';
import { tryGrant, writeLeaseSentinel } from './leases.ts';

/** Items evaluated per index page (the filter drops leased ones after the limit applies). */
const CANDIDATE_PAGE = 100;
/**
 * Pages read for one source before giving up. Leased worksets stay `ready` until their worker
 * starts them, so the head of the index can hold many leased items; a claim must read past all
 * of them rather than answer 204 while unleased work remains (100,000 items at most).
 */
const MAX_PAGES = 1000;
const MAX_VISITS = 1000;

/**
 * Leasable worksets in queue order: `ready` and `retrying` past their backoff, merged by
 * `queue_order` (urgent, normal, low; oldest first). `visit` returns true to stop.
 */
async function walkQueue(deps: TableDeps, visit: (candidate: QueueCandidate) => Promise<boolean>): Promise<void> {
  const sources = (['ready', 'retrying'] as const).map((state) => ({ state, buffer: [] as QueueCandidate[], startKey: undefined as Record<string, unknown> | undefined, done: false }));
  for (let visits = 0; visits < MAX_VISITS; visits += 1) {
    const now = deps.now().toISOString();
    for (const source of sources) {
      if (source.buffer.length === 0 && !source.done) {
        // A filtered page can come back empty while more remain: keep reading until something or the end.
        for (let page = 0; page < MAX_PAGES && source.buffer.length === 0 && !source.done; page += 1) {
          const result = await deps.worksets.queueCandidates({ state: source.state, now, limit: CANDIDATE_PAGE, ...(source.startKey ? { startKey: source.startKey } : {}) });
          source.buffer.push(...result.items);
          source.startKey = result.lastKey;
          source.done = result.lastKey === undefined;
        }
      }
    }
    const heads = sources.filter((source) => source.buffer.length > 0);
    if (heads.length === 0) return;
    const next = heads.reduce((best, source) => (source.buffer[0]!.queue_order < best.buffer[0]!.queue_order ? source : best));
    if (await visit(next.buffer.shift()!)) return;
  }
}

/** GET /worksets/next: the workset a claim would try first (nothing is leased). */
export async function nextWorkset(deps: TableDeps): Promise<WorksetDetail | undefined> {
  let found: WorksetRecord | undefined;
  await walkQueue(deps, async (candidate) => {
    found = await deps.worksets.getWorkset(candidate.workset_id);
    return found !== undefined;
  });
  return found && toWorksetDetail(found);
}

/** POST /worksets/claim: leases the first workset it can, in queue order; undefined when none. */
export async function claimNext(deps: ControlBucketDeps, request: { owner: string; leaseSeconds?: number }): Promise<WorksetDetail | undefined> {
  let claimed: WorksetDetail | undefined;
  await walkQueue(deps, async (candidate) => {
    // Another worker may have taken it since the (eventually consistent) index read: the
    // conditional grant decides, and a loser moves on to the next candidate.
    const granted = await tryGrant(deps, { worksetId: candidate.workset_id, owner: request.owner, ...(request.leaseSeconds ? { leaseSeconds: request.leaseSeconds } : {}) }, false);
    if (!granted.record) return false;
    const sentinels = await writeLeaseSentinel(deps, granted.record, granted.record.lock_acquired_at ?? deps.now().toISOString());
    claimed = toWorksetDetail(granted.record, sentinels);
    return true;
  });
  return claimed;
}
