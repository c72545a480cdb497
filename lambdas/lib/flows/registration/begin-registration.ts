/**
 * Registration, step 1: the customer's settings allow the request (customer-limits.ts), then one
 * DynamoDB transaction takes a slot of its quota, claims the idempotency key and creates the
 * `registering` record (never overwriting anything), or finds what an earlier request with the
 * same key left: an answer to replay, or a registration to resume.
 */
import { toWorksetDetail, type WorksetDetail } from '../../domain/workset-detail.ts';
import { newWorksetId } from '../../domain/workset-id.ts';
import { controlFolderPrefix, queueOrder, timestamp, type WorksetRecord } from '../../domain/workset.ts';
import { defaultExportUri } from '../../domain/manifests.ts';
import { ConflictError, notFound, UpstreamError } from '../../errors.ts';
import { WorksetIdCollision, type IdempotencyRecord } from '../../ports/worksets.ts';
import type { RegistrationDeps } from '../deps.ts';
import { activeCustomer, quotaExceeded, slotClaimOf } from '../customer-quotas.ts';
import { checkRegistrationLimits } from './customer-limits.ts';
import { requestFingerprint, type RegistrationRequest } from './registration-request.ts';

/** How long an Idempotency-Key holds its first answer. */
export const IDEMPOTENCY_WINDOW_SECONDS = 24 * 60 * 60;
const ID_ATTEMPTS = 3;

export interface RegisterWorksetCommand {
  readonly customerId: string;
  readonly request: RegistrationRequest;
  readonly idempotencyKey?: string;
  /** What a same-key retry must match; default requestFingerprint (uploadRequestFingerprint for a staged sheet). */
  readonly fingerprint?: string;
  /** Who asked (for the history). */
  readonly actor: string;
}

/** Where the control folders go, once configured. */
export interface ControlLocation {
  readonly bucket: string;
  readonly prefix: string;
}

export type BeginOutcome =
  | { readonly record: WorksetRecord; readonly idempotencyKey?: string; readonly resumed: boolean }
  | { readonly replay: WorksetDetail };

/** The `registering` record of a request (preview renders the same, with the same clock and ids). */
export function newRecord(
  command: RegisterWorksetCommand,
  deps: Pick<RegistrationDeps, 'now' | 'randomHex'>,
  location: ControlLocation,
  key: string | undefined,
): WorksetRecord {
  const { request } = command;
  const createdAt = timestamp(deps.now());
  const worksetId = newWorksetId(request.workset_name, deps.randomHex());
  const folder = controlFolderPrefix(location.prefix, worksetId);
  return {
    workset_id: worksetId,
    customer_id: command.customerId,
    workset_name: request.workset_name,
    state: 'registering',
    priority: request.priority,
    queue_order: queueOrder(request.priority, createdAt),
    pipeline_type: request.pipeline_type,
    reference_genome: request.reference_genome,
    genome_build: request.genome_build,
    sample_count: request.samples.length,
    control_bucket: location.bucket,
    control_prefix: folder,
    export_uri: request.export_uri ?? defaultExportUri(location.bucket, folder),
    ...(request.s3_bucket ? { data_bucket: request.s3_bucket } : {}),
    ...(request.s3_prefix ? { data_prefix: request.s3_prefix } : {}),
    ...(request.notification_email ? { notification_email: request.notification_email } : {}),
    enable_qc: request.enable_qc,
    archive_results: request.archive_results,
    created_at: createdAt,
    updated_at: createdAt,
    state_history: [{ from: null, to: 'registering', reason: 'Registration started', actor: command.actor, at: createdAt }],
    registration: key === undefined ? {} : { idempotency_key: key },
  };
}

/** The customer deleted the workset before its registration completed: nothing will run. */
export function deletedWhileRegistering(worksetId: string, current: WorksetRecord | undefined, keyed: boolean): ConflictError {
  const again = keyed ? ' Register it again with a new Idempotency-Key.' : ' Register it again if it is still wanted.';
  return current
    ? new ConflictError(`Workset ${worksetId} was deleted before its registration completed; it will not run.${again}`, {
        workset_id: worksetId,
        current_state: current.state,
      })
    : new ConflictError(
        `Workset ${worksetId} was deleted (record and control files) before its registration completed; nothing was registered.${again}`,
        { workset_id: worksetId },
      );
}

/** Step 1. Returns the record to complete, or an earlier answer to replay. */
export async function beginRegistration(command: RegisterWorksetCommand, deps: RegistrationDeps, location: ControlLocation): Promise<BeginOutcome> {
  const fingerprint = command.fingerprint ?? requestFingerprint(command.customerId, command.request);
  const key = command.idempotencyKey === undefined ? undefined : `${command.customerId}#${command.idempotencyKey}`;
  const customer = await activeCustomer(deps.customers, command.customerId);
  checkRegistrationLimits(customer, command.request);
  for (let attempt = 1; ; attempt += 1) {
    const record = newRecord(command, deps, location, key);
    const idempotency: IdempotencyRecord | undefined = key
      ? {
          idempotency_key: key,
          request_hash: fingerprint,
          workset_id: record.workset_id,
          expires_at: Math.floor(deps.now().getTime() / 1000) + IDEMPOTENCY_WINDOW_SECONDS,
        }
      : undefined;
    let result;
    try {
      result = await deps.worksets.beginRegistration(record, idempotency, slotClaimOf(customer));
    } catch (error) {
      if (error instanceof WorksetIdCollision && attempt < ID_ATTEMPTS) continue;
      // The write may have landed all the same (its reply lost): a `registering` record without
      // files, which a same-key retry resumes and the settle pass otherwise removes.
      const retry = key ? 'Retry the request with the same Idempotency-Key.' : 'Retry the request.';
      throw new UpstreamError(`Registration failed before any control file was written: nothing was queued. ${retry}`, { cause: error });
    }
    if (result.kind === 'created') return { record, resumed: false, ...(key ? { idempotencyKey: key } : {}) };
    if (result.kind === 'unknown-customer') throw notFound('Customer', command.customerId);
    if (result.kind === 'quota-exceeded') throw quotaExceeded(customer, result.usage);

    const { existing } = result;
    if (existing.request_hash !== fingerprint) {
      throw new ConflictError(
        'This Idempotency-Key was already used with a different request body. Use a new key for a new workset.',
        { workset_id: existing.workset_id },
      );
    }
    if (existing.answer) return { replay: existing.answer };
    const earlier = await deps.worksets.getWorkset(existing.workset_id);
    if (earlier?.state === 'registering') return { record: earlier, ...(key ? { idempotencyKey: key } : {}), resumed: true };
    // Completed between our two reads (its answer was stored in the same transaction), or deleted
    // by its customer before any request completed it.
    const completed = await deps.worksets.getIdempotencyRecord(existing.idempotency_key);
    if (completed?.answer && completed.workset_id === existing.workset_id) return { replay: completed.answer };
    if (!earlier || earlier.state === 'deleted') throw deletedWhileRegistering(existing.workset_id, earlier, true);
    return { replay: toWorksetDetail(earlier) };
  }
}
