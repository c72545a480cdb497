/**
 * What a registration leaves in its control folder, named from the record alone (no samples, no
 * renderers): what the settle pass checks a folder against. And when a registration that never
 * finished counts as abandoned.
 */
import type { ControlObject } from './control-folder.ts';
import { CONTROL_FILES, SENTINELS } from './sentinels.ts';
import type { WorksetRecord } from './workset.ts';

/**
 * How long a `registering` record may belong to a request still at work: longer than any request
 * can live (a function runs at most 29 s, API Gateway waits 30 s). Older ones are settled.
 */
export const REGISTRATION_GRACE_SECONDS = 5 * 60;

/** The files registration writes before `daylily.ready` (reference §4.2): the sample files only for samples. */
export function registrationFiles(sampleCount: number): readonly string[] {
  const manifests = [CONTROL_FILES.workYaml, CONTROL_FILES.infoYaml];
  return sampleCount > 0 ? [...manifests, CONTROL_FILES.stageSamples, CONTROL_FILES.sampleDataKeep] : manifests;
}

/** A registration's `daylily.ready`: its body is the registration's time. */
export function readyObject(record: Pick<WorksetRecord, 'control_prefix' | 'created_at'>): ControlObject {
  return { key: `${record.control_prefix}${SENTINELS.ready}`, body: record.created_at, contentType: 'text/plain' };
}

export interface RegistrationKeys {
  /** The keys of the files, in writing order. */
  readonly files: readonly string[];
  readonly ready: ControlObject;
}

export function registrationKeys(record: Pick<WorksetRecord, 'control_prefix' | 'created_at' | 'sample_count'>): RegistrationKeys {
  return { files: registrationFiles(record.sample_count).map((name) => `${record.control_prefix}${name}`), ready: readyObject(record) };
}

/** The Idempotency-Key (customer-scoped) a registration was asked with; undefined when keyless. */
export function registrationKey(record: WorksetRecord): string | undefined {
  return record.registration?.idempotency_key;
}

/**
 * Whether a client can still resume the registration with its key. Records written before
 * registrations said how they were asked count as keyed: never rolled back on a guess.
 */
export function resumable(record: WorksetRecord): boolean {
  return record.registration === undefined || record.registration.idempotency_key !== undefined;
}
