/**
 * The queue: leasable worksets in queue order (urgent, normal, low; oldest first), and the claim
 * that leases the first one it can. Reads the claimable index (unleased worksets only) and the
 * leases that ran out, so its cost does not grow with the number of leased worksets waiting to
 * start. A claim also recovers the runs whose lease ran out (recovery.ts).
 */
import { LOCKABLE_STATES } from '../../domain/lifecycle.ts';
import type { WorksetRecord } from '../../domain/workset.ts';
import { toWorksetDetail, type WorksetDetail } from '../../domain/workset-detail.ts';
import { logger } from '../../logging.ts';
import type { ExpiredLease, QueueCandidate } from '../../ports/worksets.ts';
import type { ControlBucketDeps, TableDeps } from '../deps.ts';
import { tryGrant, writeLeaseSentinel } from './leases.ts';
import { recoverExpiredRun } from './recovery.ts';

/** Items of the claimable index read per page (only retrying ones in backoff are filtered out). */
const CANDIDATE_PAGE = 100;
/** Pages read for one state before giving up (retrying worksets waiting out their backoff). */
const MAX_PAGES = 100;
/** Candidates tried before a claim answers "nothing" (each refused one lost a race). */
const MAX_VISITS = 1000;
/** Leases that ran out looked at per claim: the longest-expired first, the rest on the next claims. */
const EXPIRED_PAGE = 25;

const isClaimable = (lease: ExpiredLease): boolean => (LOCKABLE_STATES as readonly string[]).includes(lease.state);

/**
 * Leasable worksets in queue order: unleased `ready` and `retrying` past their backoff, and those
 * whose lease ran out (`expired`), merged by `queue_order`. `visit` returns true to stop.
 */
async function walkQueue(deps: TableDeps, expired: readonly QueueCandidate[], visit: (candidate: QueueCandidate) => Promise<boolean>): Promise<void> {
  type Source = { state?: 'ready' | 'retrying'; buffer: QueueCandidate[]; startKey?: Record<string, unknown>; done: boolean };
  const sources: Source[] = [
    { buffer: [...expired].sort((a, b) => (a.queue_order < b.queue_order ? -1 : 1)), done: true },
    ...(['ready', 'retrying'] as const).map((state): Source => ({ state, buffer: [], done: false })),
  ];
  for (let visits = 0; visits < MAX_VISITS; visits += 1) {
    const now = deps.now().toISOString();
    for (const source of sources) {
      // A filtered page can come back empty while more remain: keep reading until something or the end.
      for (let page = 0; page < MAX_PAGES && source.buffer.length === 0 && !source.done && source.state; page += 1) {
        const result = await deps.worksets.queueCandidates({ state: source.state, now, limit: CANDIDATE_PAGE, ...(source.startKey ? { startKey: source.startKey } : {}) });
        source.buffer.push(...result.items);
        source.startKey = result.lastKey;
        source.done = result.lastKey === undefined;
      }
    }
    const heads = sources.filter((source) => source.buffer.length > 0);
    if (heads.length === 0) return;
    const next = heads.reduce((best, source) => (source.buffer[0]!.queue_order < best.buffer[0]!.queue_order ? source : best));
    if (await visit(next.buffer.shift()!)) return;
  }
}

/** GET /worksets/next: the workset a claim would try first (nothing is leased or recovered). */
export async function nextWorkset(deps: TableDeps): Promise<WorksetDetail | undefined> {
  const expired = await deps.worksets.expiredLeases({ now: deps.now().toISOString(), limit: EXPIRED_PAGE });
  let found: WorksetRecord | undefined;
  await walkQueue(deps, expired.filter(isClaimable), async (candidate) => {
    found = await deps.worksets.getWorkset(candidate.workset_id);
    return found !== undefined;
  });
  return found && toWorksetDetail(found);
}

/** POST /worksets/claim: leases the first workset it can, in queue order; undefined when none. */
export async function claimNext(deps: ControlBucketDeps, request: { owner: string; leaseSeconds?: number }): Promise<WorksetDetail | undefined> {
  const expired = await deps.worksets.expiredLeases({ now: deps.now().toISOString(), limit: EXPIRED_PAGE });
  for (const lease of expired.filter((candidate) => candidate.state === 'in_progress')) {
    // Best effort: a run that cannot be recovered now is found again by the next claim.
    await recoverExpiredRun(deps, lease.workset_id, request.owner).catch((error: unknown) => {
      logger.warn('could not recover a run whose lease expired', { workset_id: lease.workset_id, error: error as Error });
    });
  }
  let claimed: WorksetDetail | undefined;
  await walkQueue(deps, expired.filter(isClaimable), async (candidate) => {
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
