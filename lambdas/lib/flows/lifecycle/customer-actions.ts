/**
 * What a customer can do to its worksets: cancel, retry, archive, restore, delete, read the audit
 * history. Ownership is by customer_id (another customer's workset is "not found"), checked on
 * the record read AND in the write's condition.
 *
 * Moving a control folder (archive, restore) copies first, writes DynamoDB (state + the new
 * location, one conditional transaction), then deletes the originals: a crash at any point
 * leaves every file somewhere, and the record points at a complete copy. The mover's claim is
 * held until the originals are gone, so no other move copies onto keys still being deleted.
 */
import { randomUUID } from 'node:crypto';
import { controlFolderPrefix } from '../../domain/workset.ts';
import { allowedTargets, CUSTOMER_VIAS, MOVE_CLAIM_SECONDS, recordVersion, restoreTarget, type LifecycleRecord } from '../../domain/lifecycle.ts';
import { ConflictError, NotConfiguredError, UpstreamError } from '../../errors.ts';
import { SENTINELS } from '../../domain/sentinels.ts';
import { logger } from '../../logging.ts';
import type { StoredObject } from '../../stores/ports.ts';
import type { LifecycleDeps, LifecycleReadDeps } from './deps.ts';
import { enteringEffects } from './effects.ts';
import { currentPlan, syncSentinels } from './sentinels.ts';
import { ownedRecord } from '../ownership.ts';
import { RecordChanged, transition } from './transition.ts';
import { detailOf } from './worker.ts';
import type { WorksetDetail } from '../../domain/workset-detail.ts';
import type { AuditEntry } from '../../domain/lifecycle.ts';

export interface CustomerCommand {
  readonly customerId: string;
  readonly worksetId: string;
  readonly actor: string;
  readonly reason?: string;
}

/**
 * From ready, retrying or in_progress. A leased workset keeps its lease: the worker's next
 * heartbeat or write answers 409 with `current_state: canceled`, and it stops.
 */
export async function cancelWorkset(deps: LifecycleDeps, command: CustomerCommand): Promise<MoveAnswer> {
  const reason = command.reason ?? 'Canceled by customer';
  const result = await transition(deps, {
    worksetId: command.worksetId,
    customerId: command.customerId,
    reportVia: CUSTOMER_VIAS,
    to: 'canceled',
    via: ['cancel'],
    reason,
    actor: command.actor,
    effects: (record, to, via, now) => {
      const effects = enteringEffects(record, to, via, now);
      return { ...effects, set: { ...effects.set, cancel_reason: reason } };
    },
  });
  return detailOf(result);
}

/** From error, failed or canceled back to ready: fresh retry counters, the old run fenced off. */
export async function retryWorkset(deps: LifecycleDeps, command: CustomerCommand): Promise<WorksetDetail> {
  const result = await transition(deps, {
    worksetId: command.worksetId,
    customerId: command.customerId,
    reportVia: CUSTOMER_VIAS,
    to: 'ready',
    via: ['retry'],
    reason: command.reason ?? 'Retry requested by customer',
    actor: command.actor,
    effects: enteringEffects,
  });
  return detailOf(result);
}

function archivePrefixOf(deps: LifecycleDeps): string {
  if (!deps.archivePrefix.ok) throw new NotConfiguredError(deps.archivePrefix.problem);
  return deps.archivePrefix.prefix;
}

/** A folder key prefix must end in `/`, or `ab` would also match `abc/…`. */
function assertFolder(prefix: string, worksetId: string): void {
  if (!prefix.endsWith(`/${worksetId}/`) && prefix !== `${worksetId}/`) {
    throw new UpstreamError(`Workset ${worksetId} has an unexpected control folder (${prefix}); refusing to move or delete it.`);
  }
}

/** Copies every object of `from` to `to`; `copies` collects the keys written, also when a copy fails part-way. */
async function copyFolder(deps: LifecycleDeps, bucket: string, from: string, to: string, copies: string[]): Promise<StoredObject[]> {
  const objects = await deps.folders.list(bucket, from);
  // Sentinels last, so a reader of the new folder never sees a state before the files it governs.
  const ordered = [...objects].sort((a, b) => Number(a.key.includes('/daylily.')) - Number(b.key.includes('/daylily.')));
  for (const object of ordered) {
    const target = `${to}${object.key.slice(from.length)}`;
    await deps.folders.copy(bucket, object, target);
    copies.push(target);
  }
  return objects;
}

async function removeKeys(deps: LifecycleDeps, bucket: string, keys: readonly string[], what: string, worksetId: string): Promise<boolean> {
  if (keys.length === 0) return true;
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    try {
      await deps.folders.delete(bucket, keys);
      return true;
    } catch (error) {
      if (attempt === 3) {
        logger.error(`could not delete ${what}`, { workset_id: worksetId, count: keys.length, error: error as Error });
      }
    }
  }
  return false;
}

/**
 * One mover at a time: a second request would copy onto the keys the first one's record is
 * about to point at (and, on S3 emulators, a copy whose source vanished can drop the target).
 * The claim outlives the state change until the originals are deleted: a move back started in
 * between would copy onto exactly the keys the first mover is deleting. Answers the claim's
 * token, or 409 while another request's claim is live.
 */
async function claimMove(deps: LifecycleDeps, record: LifecycleRecord, to: string, via: 'archive' | 'restore'): Promise<string> {
  const now = deps.now();
  const claim = { to, token: randomUUID(), expires_at: new Date(now.getTime() + MOVE_CLAIM_SECONDS * 1000).toISOString() };
  const outcome = await deps.store.claimMove({ worksetId: record.workset_id, version: recordVersion(record), claim, now: now.toISOString() });
  if (outcome.ok) return claim.token;
  const current = outcome.current;
  if (!current || recordVersion(current) !== recordVersion(record)) throw new RecordChanged(record.workset_id);
  throw new ConflictError(`Workset ${record.workset_id} is being moved by another request; retry after it finished (at the latest ${current.move_claim?.expires_at}).`, {
    current_state: current.state,
    requested_action: via,
  });
}

/**
 * Moves the folder between the active and the archive prefix as part of a state change. The
 * copy is made before the write; originals are deleted after it; a lost write deletes the copy.
 */
async function moveWithTransition(
  deps: LifecycleDeps,
  command: CustomerCommand,
  options: { to: 'archived' | ((record: LifecycleRecord) => LifecycleRecord['state']); via: 'archive' | 'restore'; reason: string; destination: (record: LifecycleRecord) => string },
): Promise<MoveAnswer> {
  let moved: { bucket: string; originals: string[]; token: string } | undefined;
  const result = await transition(deps, {
    worksetId: command.worksetId,
    customerId: command.customerId,
    reportVia: CUSTOMER_VIAS,
    to: options.to,
    via: [options.via],
    reason: options.reason,
    actor: command.actor,
    effects: (record, to, via, now) => {
      const effects = enteringEffects(record, to, via, now);
      const at = now.toISOString();
      const destination = options.destination(record);
      const set: Record<string, unknown> = { ...effects.set, control_prefix: destination };
      // Results exported into the control folder move with it.
      const oldFolderUri = `s3://${record.control_bucket}/${record.control_prefix}`;
      if (record.export_uri.startsWith(oldFolderUri)) {
        set.export_uri = `s3://${record.control_bucket}/${destination}${record.export_uri.slice(oldFolderUri.length)}`;
      }
      // `move_claim` stays: this request releases it once the originals are deleted.
      const remove = [...(effects.remove ?? [])];
      if (options.via === 'archive') {
        Object.assign(set, { archived_from: record.state, archived_at: at, active_prefix: record.control_prefix });
      } else {
        set.restored_at = at;
        remove.push('archived_from', 'archived_at', 'active_prefix');
      }
      return { ...effects, set, remove };
    },
    prepare: async (record, change) => {
      const from = record.control_prefix;
      const to = change.set?.control_prefix as string;
      if (from === to) {
        // Copying a folder onto itself and then deleting the "originals" would delete it.
        throw new ConflictError(`Workset ${record.workset_id} cannot be ${options.via}d: its record does not say where its folder belongs other than ${from}.`, {
          current_state: record.state,
        });
      }
      assertFolder(from, record.workset_id);
      assertFolder(to, record.workset_id);
      const token = await claimMove(deps, record, to, options.via);
      /**
       * Concurrent moves of one workset copy into the same destination, and the winner's record
       * then points at exactly those keys: a loser never deletes them. It only removes its copies
       * when the move can no longer happen at all; while it still can, its own retry (or another
       * request) copies onto the same keys.
       */
      const yieldTo = async (current: LifecycleRecord | undefined): Promise<boolean> => {
        if (current?.control_prefix === to) {
          // A loser's late copy may have brought the old folder's sentinels along: make the folder match.
          await syncSentinels(deps, current, currentPlan(current, deps.now()));
          return true;
        }
        return current !== undefined && allowedTargets(current.state, options.via).length > 0;
      };
      const copies: string[] = [];
      let objects: StoredObject[];
      try {
        objects = await copyFolder(deps, record.control_bucket, from, to, copies);
      } catch (error) {
        // The winner of a concurrent move, or a hard delete, removed the originals this copy was reading.
        const current = await deps.store.getRecord(record.workset_id);
        if (!current || recordVersion(current) !== recordVersion(record)) {
          // Still under this claim: nobody else copies onto these keys while they are removed.
          if (!(await yieldTo(current))) {
            await removeKeys(deps, record.control_bucket, copies, 'the partial copy of a move that can no longer happen', record.workset_id);
          }
          await deps.store.releaseMove({ worksetId: record.workset_id, token });
          // Decides again on the record as it is now: gone (404), or no longer movable (409).
          throw new RecordChanged(record.workset_id);
        }
        // Nothing points at the partial copy; removed under the claim, it cannot outlive a later hard delete.
        await removeKeys(deps, record.control_bucket, copies, 'the partial copy of a failed move', record.workset_id);
        await deps.store.releaseMove({ worksetId: record.workset_id, token });
        throw new UpstreamError(`Workset ${record.workset_id} was not ${options.via}d: its control folder could not be copied. Nothing changed; retry.`, { cause: error });
      }
      const copied = { objects, copies };
      moved = { bucket: record.control_bucket, originals: objects.map((object) => object.key), token };
      return {
        undo: async (current) => {
          moved = undefined;
          // Unchanged: the state write failed, and nothing points at the copy. Changed and no longer
          // movable: the copy is a stray duplicate (never the only one). Either way it goes, while
          // the claim still keeps other moves from copying onto these keys.
          const unchanged = current !== undefined && recordVersion(current) === recordVersion(record);
          if (unchanged || !(await yieldTo(current))) {
            await removeKeys(deps, record.control_bucket, copied.copies.filter((key) => !copied.objects.some((object) => object.key === key)), 'the copy of a move that did not happen', record.workset_id);
          }
          await deps.store.releaseMove({ worksetId: record.workset_id, token });
        },
      };
    },
  });
  const detail = detailOf(result);
  if (!moved) return detail;
  const removed = await removeKeys(deps, moved.bucket, moved.originals, 'the originals of a moved folder', command.worksetId);
  // Only now may another move start. Should this release fail, the claim expires (MOVE_CLAIM_SECONDS).
  await deps.store.releaseMove({ worksetId: command.worksetId, token: moved.token }).catch((error: unknown) => {
    logger.error('could not release the claim of a finished move', { workset_id: command.worksetId, error: error as Error });
  });
  if (!removed) {
    // The record points at the complete new folder; the old one is a leftover to clean up.
    return { ...detail, sentinels: { ...detail.sentinels, in_sync: false }, leftover_folder: result.previous.control_prefix };
  }
  return detail;
}

/** From complete, error, failed, canceled or ignored, into `daylily_monitoring/archived_worksets/{id}/`. */
export async function archiveWorkset(deps: LifecycleDeps, command: CustomerCommand): Promise<MoveAnswer> {
  const archivePrefix = archivePrefixOf(deps);
  return moveWithTransition(deps, command, {
    to: 'archived',
    via: 'archive',
    reason: command.reason ?? 'Archived by customer',
    destination: (record) => controlFolderPrefix(archivePrefix, record.workset_id),
  });
}

/** Back to where it was archived from, in the state it was archived from (error/failed → ready). */
export async function restoreWorkset(deps: LifecycleDeps, command: CustomerCommand): Promise<MoveAnswer> {
  archivePrefixOf(deps);
  return moveWithTransition(deps, command, {
    to: (record) => (record.state === 'archived' ? restoreTarget(record.archived_from) : 'ready'),
    via: 'restore',
    reason: command.reason ?? 'Restored by customer',
    destination: (record) => record.active_prefix ?? record.control_prefix,
  });
}

/** An archive or restore answer: the workset, and the old folder if it could not be emptied. */
export type MoveAnswer = WorksetDetail & { readonly leftover_folder?: string };

export interface DeleteCommand extends CustomerCommand {
  readonly hardDelete: boolean;
}

export type DeleteAnswer = WorksetDetail | { readonly workset_id: string; readonly hard_delete: true; readonly deleted: true; readonly objects_deleted: number };

/**
 * Soft delete is the state `deleted` (refused while in_progress, like every delete). A hard
 * delete first makes it `deleted` with its sentinels (daylily.ignore; so no worker or monitor
 * takes it), then removes exactly the objects of its own folder, then the record. A failure in
 * between leaves a soft-deleted workset; repeating the hard delete finishes it.
 */
export async function deleteWorkset(deps: LifecycleDeps, command: DeleteCommand): Promise<DeleteAnswer> {
  let record = ownedRecord(await deps.store.getRecord(command.worksetId), command.worksetId, command.customerId);
  if (record.state !== 'deleted') {
    const result = await transition(deps, {
      worksetId: command.worksetId,
      customerId: command.customerId,
    reportVia: CUSTOMER_VIAS,
      to: 'deleted',
      via: ['delete'],
      reason: command.reason ?? (command.hardDelete ? 'Hard delete requested by customer' : 'Deleted by customer'),
      actor: command.actor,
      // The normal plan of `deleted` (daylily.ignore, stale sentinels out) even for a hard delete:
      // if removing the folder then fails, the monitor must not find daylily.ready there.
      effects: enteringEffects,
    });
    if (!command.hardDelete) return detailOf(result);
    record = result.record;
  } else if (!command.hardDelete) {
    throw new ConflictError(`Workset ${command.worksetId} is already deleted.`, { current_state: 'deleted', allowed_states: [] });
  }

  const folder = record.control_prefix;
  assertFolder(folder, record.workset_id);
  let objects: StoredObject[];
  try {
    objects = await deps.folders.list(record.control_bucket, folder);
  } catch (error) {
    throw new UpstreamError(`Workset ${record.workset_id} is deleted but its control files could not be listed; repeat the hard delete to finish.`, { cause: error });
  }
  // daylily.ignore goes last: a removal that stops part-way leaves a folder the monitor skips.
  const ignore = `${folder}${SENTINELS.ignore}`;
  const keys = objects.map((object) => object.key).sort((a, b) => Number(a === ignore) - Number(b === ignore));
  if (!(await removeKeys(deps, record.control_bucket, keys, 'the folder of a hard-deleted workset', record.workset_id))) {
    throw new UpstreamError(`Workset ${record.workset_id} is deleted but its control files could not all be removed; repeat the hard delete to finish.`);
  }
  if (!(await deps.store.removeRecord({ worksetId: record.workset_id, version: record.version ?? 0 }))) {
    const current = await deps.store.getRecord(record.workset_id);
    if (current) throw new ConflictError(`Workset ${record.workset_id} changed during the hard delete; repeat it.`, { current_state: current.state });
  }
  return { workset_id: record.workset_id, hard_delete: true, deleted: true, objects_deleted: objects.length };
}

export interface HistoryAnswer {
  readonly workset_id: string;
  readonly logs: readonly AuditEntry[];
  readonly next_token: string | null;
}

/** The full audit history, oldest first, paginated. */
export async function worksetLogs(
  deps: LifecycleReadDeps,
  command: { customerId?: string; worksetId: string; limit: number; nextToken?: string },
): Promise<HistoryAnswer> {
  ownedRecord(await deps.store.getRecord(command.worksetId), command.worksetId, command.customerId);
  const page = await deps.store.history(command.worksetId, { limit: command.limit, ...(command.nextToken ? { nextToken: command.nextToken } : {}) });
  return { workset_id: command.worksetId, logs: page.entries, next_token: page.nextToken ?? null };
}
