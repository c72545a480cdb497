/**
 * Archive and restore: moving a control folder between the active and the archive prefix as part
 * of a state change. Ownership is by customer_id, checked on the record read AND in the write.
 *
 * Moving copies first, writes DynamoDB (state + the new location, one conditional transaction),
 * then deletes the originals: a crash at any point leaves every file somewhere, and the record
 * points at a complete copy. The mover's claim is held until the originals are gone, so no other
 * move copies onto keys still being deleted.
 */
import { randomUUID } from 'node:crypto';
import type { MoveAnswer } from '../../domain/answers.ts';
import { allowedTargets, CUSTOMER_VIAS, MOVE_CLAIM_SECONDS, recordVersion, restoreTarget } from '../../domain/lifecycle.ts';
import { controlFolderPrefix, type WorksetRecord } from '../../domain/workset.ts';
import { ConflictError, NotConfiguredError, UpstreamError } from '../../errors.ts';
import { logger } from '../../logging.ts';
import type { StoredObject } from '../../ports/control-bucket.ts';
import type { ControlBucketDeps } from '../deps.ts';
import type { CustomerCommand } from './cancel-retry.ts';
import { enteringEffects } from './effects.ts';
import { assertFolder, copyFolder, FolderChanged, removeKeys } from './folder-objects.ts';
import { currentPlan, syncSentinels } from './sentinel-sync.ts';
import { detailOf, RecordChanged, transition } from './transition.ts';

function archivePrefixOf(deps: ControlBucketDeps): string {
  if (!deps.archivePrefix.ok) throw new NotConfiguredError(deps.archivePrefix.problem);
  return deps.archivePrefix.prefix;
}

/**
 * One mover at a time: a second request would copy onto the keys the first one's record is
 * about to point at (and, on S3 emulators, a copy whose source vanished can drop the target).
 * The claim outlives the state change until the originals are deleted: a move back started in
 * between would copy onto exactly the keys the first mover is deleting. Answers the claim's
 * token, or 409 while another request's claim is live.
 */
async function claimMove(deps: ControlBucketDeps, record: WorksetRecord, to: string, via: 'archive' | 'restore'): Promise<string> {
  const now = deps.now();
  const claim = { to, token: randomUUID(), expires_at: new Date(now.getTime() + MOVE_CLAIM_SECONDS * 1000).toISOString() };
  const outcome = await deps.worksets.claimMove({ worksetId: record.workset_id, version: recordVersion(record), claim, now: now.toISOString() });
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
  deps: ControlBucketDeps,
  command: CustomerCommand,
  options: { to: 'archived' | ((record: WorksetRecord) => WorksetRecord['state']); via: 'archive' | 'restore'; reason: string; destination: (record: WorksetRecord) => string },
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
      const yieldTo = async (current: WorksetRecord | undefined): Promise<boolean> => {
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
        // The winner of a concurrent move, or a hard delete, removed the originals this copy was
        // reading; or the lease holder let go and deleted daylily.lock, which changes no state and
        // so not the version either: only the vanished source tells.
        const current = await deps.worksets.getWorkset(record.workset_id);
        if (!current || recordVersion(current) !== recordVersion(record) || error instanceof FolderChanged) {
          // Still under this claim: nobody else copies onto these keys while they are removed.
          if (!(await yieldTo(current))) {
            await removeKeys(deps, record.control_bucket, copies, 'the partial copy of a move that can no longer happen', record.workset_id);
          }
          await deps.worksets.releaseMove({ worksetId: record.workset_id, token });
          // Decides again on the record as it is now: gone (404), or no longer movable (409).
          throw new RecordChanged(record.workset_id);
        }
        // Nothing points at the partial copy; removed under the claim, it cannot outlive a later hard delete.
        await removeKeys(deps, record.control_bucket, copies, 'the partial copy of a failed move', record.workset_id);
        await deps.worksets.releaseMove({ worksetId: record.workset_id, token });
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
          await deps.worksets.releaseMove({ worksetId: record.workset_id, token });
        },
      };
    },
  });
  const detail = detailOf(result);
  if (!moved) return detail;
  const removed = await removeKeys(deps, moved.bucket, moved.originals, 'the originals of a moved folder', command.worksetId);
  // Only now may another move start. Should this release fail, the claim expires (MOVE_CLAIM_SECONDS).
  await deps.worksets.releaseMove({ worksetId: command.worksetId, token: moved.token }).catch((error: unknown) => {
    logger.error('could not release the claim of a finished move', { workset_id: command.worksetId, error: error as Error });
  });
  if (!removed) {
    // The record points at the complete new folder; the old one is a leftover to clean up.
    return { ...detail, sentinels: { ...detail.sentinels, in_sync: false }, leftover_folder: result.previous.control_prefix };
  }
  return detail;
}

/** From complete, error, failed, canceled or ignored, into `daylily_monitoring/archived_worksets/{id}/`. */
export async function archiveWorkset(deps: ControlBucketDeps, command: CustomerCommand): Promise<MoveAnswer> {
  const archivePrefix = archivePrefixOf(deps);
  return moveWithTransition(deps, command, {
    to: 'archived',
    via: 'archive',
    reason: command.reason ?? 'Archived by customer',
    destination: (record) => controlFolderPrefix(archivePrefix, record.workset_id),
  });
}

/** Back to where it was archived from, in the state it was archived from (error/failed → ready). */
export async function restoreWorkset(deps: ControlBucketDeps, command: CustomerCommand): Promise<MoveAnswer> {
  archivePrefixOf(deps);
  return moveWithTransition(deps, command, {
    to: (record) => (record.state === 'archived' ? restoreTarget(record.archived_from) : 'ready'),
    via: 'restore',
    reason: command.reason ?? 'Restored by customer',
    destination: (record) => record.active_prefix ?? record.control_prefix,
  });
}
