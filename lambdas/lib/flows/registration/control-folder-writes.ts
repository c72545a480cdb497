/**
 * Registration's step 2: the control folder, every file, then `daylily.ready` last. The steps that
 * take `daylily.ready` back (and need no renderer) are in settle-ready.ts, which the settle pass
 * shares.
 */
import { registrationObjects, type FolderContents } from '../../domain/control-folder.ts';
import type { WorksetRecord } from '../../domain/workset.ts';
import type { RegistrationFolderDeps } from './settle-ready.ts';

export class FolderWriteFailed extends Error {
  constructor(
    /** Whether the put of `daylily.ready` was tried: a put that failed may have landed all the same (its reply lost). */
    readonly readyAttempted: boolean,
    cause: unknown,
  ) {
    super('control folder write failed', { cause });
  }
}

/** Step 2. Every file, then `daylily.ready`. Throws FolderWriteFailed saying whether `daylily.ready` was tried. */
export async function writeControlFolder(deps: RegistrationFolderDeps, record: WorksetRecord, contents: FolderContents): Promise<void> {
  const { files, ready } = registrationObjects(record, contents);
  const results = await Promise.allSettled(files.map((file) => deps.controlBucket.put(record.control_bucket, file)));
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) throw new FolderWriteFailed(false, failure.reason);
  await deps.controlBucket.put(record.control_bucket, ready).catch((error: unknown) => {
    throw new FolderWriteFailed(true, error);
  });
}
