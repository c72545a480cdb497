/**
 * The settle pass: makes a workset's control folder and its record agree after a registration that
 * never finished — the requests that would have (a failed flip whose record could not be read back,
 * a rollback whose withdrawal of `daylily.ready` failed, a function that died) left a `registering`
 * record behind, and that state is the flag: `listWorksets({ state: 'registering' })` finds them.
 * Records younger than REGISTRATION_GRACE_SECONDS may belong to a request still at work and are
 * left alone.
 *
 * For one workset:
 *  - `registering`, keyed, every registration file in its folder → completed as registration
 *    would: `daylily.ready` put, then the flip, fenced by the `ready_withdrawals` count read before
 *    the put (and the key's answer stored, so the client's same-key retry replays it);
 *  - `registering`, keyed, a file missing → `daylily.ready` withdrawn (fenced) if it is there; the
 *    client's same-key retry writes the files and completes it;
 *  - `registering`, keyless (nobody can resume it) → rolled back as registration would:
 *    `daylily.ready` withdrawn and fenced, the record removed (conditionally), then its files;
 *  - `ready` without `daylily.ready` but with every file → the folder made to match the record
 *    (the lifecycle's fenced sentinel sync); `ready` with a file missing → reported only (the files
 *    cannot be rebuilt from the record).
 * Every write is conditional or fenced as in registration (settle-ready.ts): the pass may
 * run beside live requests and beside itself. Whatever a concurrent request did first wins; the
 * pass then only makes `daylily.ready` match the record as it is (`changed`).
 */
import type { SettleAction, SettleResult, SettleSummary } from '../../domain/answers.ts';
import { readyObject, registrationKey, registrationKeys, REGISTRATION_GRACE_SECONDS, resumable } from '../../domain/registration.ts';
import { toWorksetDetail } from '../../domain/workset-detail.ts';
import { timestamp, type HistoryEntry, type WorksetRecord } from '../../domain/workset.ts';
import { NotFoundError, UpstreamError } from '../../errors.ts';
import { logger } from '../../logging.ts';
import type { SettleDeps } from '../deps.ts';
import { currentPlan, syncSentinels } from '../lifecycle/sentinel-sync.ts';
import { settleReady } from './settle-ready.ts';

export interface SettleOptions {
  /** Records younger than this (by `updated_at`) are left alone. Default: REGISTRATION_GRACE_SECONDS. */
  readonly olderThanSeconds?: number;
  /** Decide, write nothing. */
  readonly dryRun?: boolean;
  /** Who settles (for the history of a completed registration). */
  readonly actor: string;
}

const relative = (record: WorksetRecord, keys: readonly string[]): string[] => keys.map((key) => key.slice(record.control_prefix.length));

/**
 * Settles one workset; NotFoundError when there is none. Throws UpstreamError when a dependency
 * fails: nothing is then worse than before (every step is conditional), and running it again
 * carries on.
 */
export async function settleWorkset(deps: SettleDeps, worksetId: string, options: SettleOptions): Promise<SettleResult> {
  try {
    return await settleOne(deps, worksetId, options);
  } catch (error) {
    if (error instanceof UpstreamError || error instanceof NotFoundError) throw error;
    throw new UpstreamError(`Settling workset ${worksetId} failed part way; every step is conditional, so run it again.`, { cause: error });
  }
}

async function settleOne(deps: SettleDeps, worksetId: string, options: SettleOptions): Promise<SettleResult> {
  const record = await deps.worksets.getWorkset(worksetId);
  if (!record) throw new NotFoundError(`Workset ${worksetId} not found.`);
  const found = (action: SettleAction, missing?: readonly string[]): SettleResult => ({
    workset_id: worksetId,
    state: record.state,
    action,
    ...(missing && missing.length > 0 ? { missing_files: relative(record, missing) } : {}),
  });
  if (record.state !== 'registering' && record.state !== 'ready') return found('not-applicable');
  const olderThan = options.olderThanSeconds ?? REGISTRATION_GRACE_SECONDS;
  if (deps.now().getTime() - Date.parse(record.updated_at) < olderThan * 1000) return found('too-recent');

  const keys = registrationKeys(record);
  const present = new Set((await deps.controlBucket.list(record.control_bucket, record.control_prefix)).map((object) => object.key));
  const missing = keys.files.filter((key) => !present.has(key));
  const readyThere = present.has(keys.ready.key);
  const write = !options.dryRun;

  if (record.state === 'ready') {
    if (missing.length > 0) return found('files-missing', missing);
    if (readyThere) return found('in-order');
    if (write) {
      const status = await syncSentinels(deps, record, currentPlan(record, deps.now()));
      if (!status.in_sync) throw new UpstreamError(`The folder of workset ${worksetId} could not be repaired; it is flagged (sentinels.pending). Run the settle pass again.`);
    }
    return found('restored');
  }

  if (!resumable(record)) return found(write ? await rollBack(deps, record) : 'rolled-back');
  if (missing.length === 0) return found(write ? await complete(deps, record, options.actor) : 'completed');
  if (!readyThere) return found('awaiting-retry', missing);
  if (write) {
    const settled = await settleReady(deps, record, record);
    if (settled?.state !== 'registering') return found('changed', missing);
  }
  return found('withdrawn', missing);
}

/** Keyed, every file there: `daylily.ready`, then the flip, as registration's steps 2 and 3. */
async function complete(deps: SettleDeps, record: WorksetRecord, actor: string): Promise<SettleAction> {
  // Read before the put: a request that withdraws daylily.ready after this put also moves the
  // count, and the flip below is then refused.
  const withdrawals = record.ready_withdrawals;
  await deps.controlBucket.put(record.control_bucket, readyObject(record));
  const at = timestamp(deps.now());
  const entry: HistoryEntry = { from: 'registering', to: 'ready', reason: 'Control folder found complete by the settle pass', actor, at };
  const ready: WorksetRecord = { ...record, state: 'ready', version: 1, updated_at: at, state_history: [...record.state_history, entry] };
  const key = registrationKey(record);
  // The answer the client's same-key retry replays, while the key still names this registration.
  const claim = key === undefined ? undefined : await deps.worksets.getIdempotencyRecord(key);
  const answerable = key !== undefined && claim?.workset_id === record.workset_id && claim.answer === undefined && claim.expires_at * 1000 > deps.now().getTime();
  let cause: unknown;
  try {
    const completed = await deps.worksets.completeRegistration({
      worksetId: record.workset_id,
      customerId: record.customer_id,
      at,
      entry,
      withdrawals,
      ...(answerable ? { idempotency: { key, answer: toWorksetDetail(ready) } } : {}),
    });
    if (completed) {
      logger.info('settle pass completed a registration', { workset_id: record.workset_id, customer_id: record.customer_id });
      return 'completed';
    }
  } catch (error) {
    cause = error;
  }
  // Refused (completed, fenced or deleted by another request) or unknown: look, then make
  // daylily.ready match. A read that fails leaves the folder as it was: a later pass completes it.
  const current = await deps.worksets.getWorkset(record.workset_id);
  if (cause !== undefined && current?.state === 'ready' && current.updated_at === at) return 'completed';
  await settleReady(deps, record, current);
  return 'changed';
}

/** Keyless: nobody can resume it. `daylily.ready` first (fenced), then the record, then its files. */
async function rollBack(deps: SettleDeps, record: WorksetRecord): Promise<SettleAction> {
  const { files, ready } = registrationKeys(record);
  await deps.controlBucket.delete(record.control_bucket, [ready.key]);
  // A flip decided before this count (a request outliving the grace period) is refused from now on.
  const fenced = await deps.worksets.fenceReadyWithdrawal(record.workset_id);
  if (!fenced || !(await deps.worksets.abandonRegistration(record.workset_id))) {
    // Deleted by its customer, or rolled back by a concurrent pass: match what is there now.
    await settleReady(deps, record, await deps.worksets.getWorkset(record.workset_id));
    return 'changed';
  }
  try {
    await deps.controlBucket.delete(record.control_bucket, files);
  } catch (error) {
    // Without daylily.ready the monitor skips them; nothing points at them any more.
    logger.warn('settle pass removed a registration but not all its files', { workset_id: record.workset_id, error: error as Error });
  }
  logger.info('settle pass rolled back a registration', { workset_id: record.workset_id, customer_id: record.customer_id });
  return 'rolled-back';
}

/** Records listed per page while collecting the `registering` ones. */
const PAGE = 100;

/**
 * Settles every `registering` record past `olderThanSeconds`, one at a time. A workset whose
 * settling fails is reported (`failed`) and the pass goes on; running it again carries on.
 */
export async function settleRegistrations(deps: SettleDeps, options: SettleOptions): Promise<SettleSummary> {
  const olderThan = options.olderThanSeconds ?? REGISTRATION_GRACE_SECONDS;
  const cutoff = deps.now().getTime() - olderThan * 1000;
  // Collected first: settling moves records out of the listing being paged through.
  const due: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await deps.worksets.listWorksets({ state: 'registering', limit: PAGE, ...(nextToken ? { nextToken } : {}) });
    due.push(...page.items.filter((record) => Date.parse(record.updated_at) <= cutoff).map((record) => record.workset_id));
    nextToken = page.nextToken;
  } while (nextToken);

  const results: SettleResult[] = [];
  for (const worksetId of due) {
    try {
      results.push(await settleWorkset(deps, worksetId, { ...options, olderThanSeconds: olderThan }));
    } catch (error) {
      // Removed since it was listed (by its customer, or a concurrent pass).
      if (error instanceof NotFoundError) {
        results.push({ workset_id: worksetId, state: null, action: 'not-found' });
        continue;
      }
      logger.error('settle pass could not settle a workset', { workset_id: worksetId, error: error as Error });
      results.push({ workset_id: worksetId, state: 'registering', action: 'failed', detail: (error as Error).message });
    }
  }
  const counts: Partial<Record<SettleAction, number>> = {};
  for (const { action } of results) counts[action] = (counts[action] ?? 0) + 1;
  return { dry_run: options.dryRun === true, older_than_seconds: olderThan, results, counts };
}
