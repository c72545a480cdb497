/**
 * Deleting a workset: soft (the state `deleted`) or hard (its own control files, then its record).
 * Ownership is by customer_id, checked on the record read AND in the write.
 */
import type { DeleteAnswer } from '../../domain/answers.ts';
import { CUSTOMER_VIAS } from '../../domain/lifecycle.ts';
import { SENTINELS } from '../../domain/sentinels.ts';
import { ConflictError, UpstreamError } from '../../errors.ts';
import type { StoredObject } from '../../ports/control-bucket.ts';
import type { ControlBucketDeps } from '../deps.ts';
import { ownedRecord } from '../ownership.ts';
import type { CustomerCommand } from './cancel-retry.ts';
import { enteringEffects } from './effects.ts';
import { assertFolder, removeKeys } from './folder-objects.ts';
import { detailOf, transition } from './transition.ts';

export interface DeleteCommand extends CustomerCommand {
  readonly hardDelete: boolean;
}

/**
 * Soft delete is the state `deleted` (refused while in_progress, like every delete). A hard
 * delete first makes it `deleted` with its sentinels (daylily.ignore; so no worker or monitor
 * takes it), then removes exactly the objects of its own folder, then the record. A failure in
 * between leaves a soft-deleted workset; repeating the hard delete finishes it.
 */
export async function deleteWorkset(deps: ControlBucketDeps, command: DeleteCommand): Promise<DeleteAnswer> {
  let record = ownedRecord(await deps.worksets.getWorkset(command.worksetId), command.worksetId, command.customerId);
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
    objects = await deps.controlBucket.list(record.control_bucket, folder);
  } catch (error) {
    throw new UpstreamError(`Workset ${record.workset_id} is deleted but its control files could not be listed; repeat the hard delete to finish.`, { cause: error });
  }
  // daylily.ignore goes last: a removal that stops part-way leaves a folder the monitor skips.
  const ignore = `${folder}${SENTINELS.ignore}`;
  const keys = objects.map((object) => object.key).sort((a, b) => Number(a === ignore) - Number(b === ignore));
  if (!(await removeKeys(deps, record.control_bucket, keys, 'the folder of a hard-deleted workset', record.workset_id))) {
    throw new UpstreamError(`Workset ${record.workset_id} is deleted but its control files could not all be removed; repeat the hard delete to finish.`);
  }
  if (!(await deps.worksets.removeRecord({ worksetId: record.workset_id, version: record.version ?? 0 }))) {
    const current = await deps.worksets.getWorkset(record.workset_id);
    if (current) throw new ConflictError(`Workset ${record.workset_id} changed during the hard delete; repeat it.`, { current_state: current.state });
  }
  return { workset_id: record.workset_id, hard_delete: true, deleted: true, objects_deleted: objects.length };
}
