/** The objects of a workset's control folder, as the folder moves and deletes handle them. */
import { logger } from '../../logging.ts';
import { UpstreamError } from '../../errors.ts';
import type { StoredObject } from '../../ports/control-bucket.ts';
import type { ControlBucketDeps } from '../deps.ts';

/** A folder key prefix must end in `/`, or `ab` would also match `abc/…`. */
export function assertFolder(prefix: string, worksetId: string): void {
  if (!prefix.endsWith(`/${worksetId}/`) && prefix !== `${worksetId}/`) {
    throw new UpstreamError(`Workset ${worksetId} has an unexpected control folder (${prefix}); refusing to move or delete it.`);
  }
}

/**
 * A copy's source was gone when it was copied: another request changed the folder since it was
 * listed (a concurrent move or hard delete removed the originals, a lease release daylily.lock).
 */
export class FolderChanged extends Error {
  constructor(key: string, options: { cause: unknown }) {
    super(`${key} vanished while its folder was being copied`, options);
  }
}

/** Whether `key` is no longer in the folder (false when the folder cannot be listed either: storage failed). */
async function vanished(deps: ControlBucketDeps, bucket: string, folder: string, key: string): Promise<boolean> {
  try {
    return !(await deps.controlBucket.list(bucket, folder)).some((object) => object.key === key);
  } catch {
    return false;
  }
}

/**
 * Copies every object of `from` to `to`; `copies` collects the keys written, also when a copy fails
 * part-way. A copy whose source has vanished throws FolderChanged; any other failure as it is.
 */
export async function copyFolder(deps: ControlBucketDeps, bucket: string, from: string, to: string, copies: string[]): Promise<StoredObject[]> {
  const objects = await deps.controlBucket.list(bucket, from);
  // Sentinels last, so a reader of the new folder never sees a state before the files it governs.
  const ordered = [...objects].sort((a, b) => Number(a.key.includes('/daylily.')) - Number(b.key.includes('/daylily.')));
  for (const object of ordered) {
    const target = `${to}${object.key.slice(from.length)}`;
    try {
      await deps.controlBucket.copy(bucket, object, target);
    } catch (error) {
      if (await vanished(deps, bucket, from, object.key)) throw new FolderChanged(object.key, { cause: error });
      throw error;
    }
    copies.push(target);
  }
  return objects;
}

export async function removeKeys(deps: ControlBucketDeps, bucket: string, keys: readonly string[], what: string, worksetId: string): Promise<boolean> {
  if (keys.length === 0) return true;
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    try {
      await deps.controlBucket.delete(bucket, keys);
      return true;
    } catch (error) {
      if (attempt === 3) {
        logger.error(`could not delete ${what}`, { workset_id: worksetId, count: keys.length, error: error as Error });
      }
    }
  }
  return false;
}
