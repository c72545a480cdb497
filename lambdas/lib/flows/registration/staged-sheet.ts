/**
 * Registration and preview of a request naming a staged sheet (`samples_upload_id`): the sheet is
 * read from the staging key of the path's customer (so another customer's id names nothing), then
 * checked like `samples_tsv`; after a registration it is removed, best effort (the bucket's
 * lifecycle rule expires what stays). A retry with the same Idempotency-Key after the sheet is gone
 * replays the first answer: such a request is fingerprinted by its body, upload id included
 * (uploadRequestFingerprint), so the answer can be found without the sheet.
 */
import type { RunCatalogue } from '../../domain/pipeline-catalogue.ts';
import { stagedSheetKey } from '../../domain/sheet-upload.ts';
import { ConflictError, NotConfiguredError } from '../../errors.ts';
import { logger } from '../../logging.ts';
import type { CreateWorksetRequest } from '../../schemas/registration-requests.ts';
import type { RegistrationDeps, StagedSheetDeps } from '../deps.ts';
import { registerWorkset, type RegistrationOutcome } from './register-workset.ts';
import { namesOnlyUpload, toRegistrationRequest, uploadRequestFingerprint, type StagedSheetText } from './registration-request.ts';

export const UNKNOWN_UPLOAD = 'names no staged sheet of this customer: unknown, expired (a staged sheet lasts a day) or already registered';

/** The sheet `body` names as its only source, read (or why it cannot be used); undefined when it names none. */
export async function readStagedSheet(deps: StagedSheetDeps, customerId: string, body: CreateWorksetRequest): Promise<StagedSheetText | undefined> {
  if (!namesOnlyUpload(body)) return undefined;
  if (!deps.uploads.ok) throw new NotConfiguredError(deps.uploads.problem);
  const { bucket, prefix, maxBytes } = deps.uploads;
  const sheet = await deps.stagedSheets.read(bucket, stagedSheetKey(prefix, customerId, body.samples_upload_id), maxBytes);
  switch (sheet.kind) {
    case 'sheet':
      return { text: sheet.text };
    case 'missing':
      return { problem: UNKNOWN_UPLOAD };
    case 'too-large':
      return { problem: `is a staged sheet of more than the ${maxBytes} bytes an upload may hold` };
    case 'not-text':
      return { problem: 'is a staged sheet that is not UTF-8 text' };
  }
}

export interface RegisterRequestCommand {
  readonly customerId: string;
  readonly body: CreateWorksetRequest;
  readonly catalogue: RunCatalogue;
  readonly idempotencyKey?: string;
  readonly actor: string;
}

/**
 * The answer an earlier request with this key and body stored, when its staged sheet is gone; a
 * different body under the key is the 409 registration answers.
 */
async function replayOfUpload(deps: RegistrationDeps, command: RegisterRequestCommand, fingerprint: string): Promise<RegistrationOutcome | undefined> {
  const existing = await deps.worksets.getIdempotencyRecord(`${command.customerId}#${command.idempotencyKey}`);
  if (!existing || existing.expires_at < Math.floor(deps.now().getTime() / 1000)) return undefined;
  if (existing.request_hash !== fingerprint) {
    throw new ConflictError('This Idempotency-Key was already used with a different request body. Use a new key for a new workset.', { workset_id: existing.workset_id });
  }
  return existing.answer ? { workset: existing.answer, replayed: true } : undefined;
}

/** Registration from a create request as validated: its staged sheet read first, removed after. */
export async function registerRequest(deps: RegistrationDeps, command: RegisterRequestCommand): Promise<RegistrationOutcome> {
  const { body, customerId, idempotencyKey } = command;
  const staged = await readStagedSheet(deps, customerId, body);
  const fingerprint = staged ? uploadRequestFingerprint(customerId, body) : undefined;
  if (staged && 'problem' in staged && idempotencyKey !== undefined && fingerprint) {
    const replay = await replayOfUpload(deps, command, fingerprint);
    if (replay) return replay;
  }
  const outcome = await registerWorkset(deps, {
    customerId,
    request: toRegistrationRequest(body, command.catalogue, staged),
    ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
    ...(fingerprint ? { fingerprint } : {}),
    actor: command.actor,
  });
  if (staged && 'text' in staged && deps.uploads.ok) await removeStagedSheet(deps, customerId, body.samples_upload_id!);
  return outcome;
}

/** Best effort: a registered workset stays registered; the lifecycle rule expires a sheet left behind. */
async function removeStagedSheet(deps: RegistrationDeps, customerId: string, uploadId: string): Promise<void> {
  if (!deps.uploads.ok) return;
  const key = stagedSheetKey(deps.uploads.prefix, customerId, uploadId);
  try {
    await deps.controlBucket.delete(deps.uploads.bucket, [key]);
  } catch (error) {
    logger.warn('staged sheet not removed after registration; the lifecycle rule expires it', { key, error: error as Error });
  }
}
