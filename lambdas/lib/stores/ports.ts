/**
 * The stores the flows depend on. Adapters (DynamoDB, S3) implement them; the flows never see an
 * SDK type, so they read as the protocol they implement.
 */
import type { ControlObject } from '../domain/control-folder.ts';
import type { StateHistoryEntry, WorksetRecord, WorksetState } from '../domain/workset.ts';

/** What a replay of the create route returns: the first answer, byte for byte. */
export interface StoredResponse {
  readonly status: number;
  readonly body: string;
  readonly location: string;
}

export interface IdempotencyRecord {
  readonly idempotency_key: string;
  readonly request_hash: string;
  readonly workset_id: string;
  /** Epoch seconds: DynamoDB TTL removes the record after this; an expired one no longer counts. */
  readonly expires_at: number;
  readonly response?: StoredResponse;
}

export type BeginRegistrationResult =
  | { readonly kind: 'created' }
  | { readonly kind: 'unknown-customer' }
  | { readonly kind: 'key-in-use'; readonly existing: IdempotencyRecord };

export interface WorksetPage {
  readonly items: readonly WorksetRecord[];
  /** Opaque cursor of the next page; absent on the last page. */
  readonly nextToken?: string;
}

export interface WorksetStore {
  /**
   * One atomic write: the customer exists, the idempotency key (if any) is unclaimed, and the
   * `registering` record is new. Never overwrites.
   */
  beginRegistration(record: WorksetRecord, idempotency?: IdempotencyRecord): Promise<BeginRegistrationResult>;
  /**
   * `registering` → `ready`, recording the response for idempotent replays. Returns false when the
   * record is no longer `registering` (a concurrent request completed it first).
   */
  completeRegistration(input: {
    readonly worksetId: string;
    readonly at: string;
    readonly entry: StateHistoryEntry;
    readonly idempotency?: { readonly key: string; readonly response: StoredResponse };
  }): Promise<boolean>;
  /** Removes a record still `registering` (a failed registration nobody can resume). */
  abandonRegistration(worksetId: string): Promise<void>;
  getWorkset(worksetId: string): Promise<WorksetRecord | undefined>;
  getIdempotencyRecord(key: string): Promise<IdempotencyRecord | undefined>;
  listCustomerWorksets(
    customerId: string,
    options: { readonly limit: number; readonly nextToken?: string; readonly state?: WorksetState },
  ): Promise<WorksetPage>;
}

export interface ControlBucketStore {
  put(bucket: string, object: ControlObject): Promise<void>;
  /** Deletes the given keys; missing keys are not an error. */
  delete(bucket: string, keys: readonly string[]): Promise<void>;
}

/** A generated workset id already exists (32 random bits collided); the flow draws another. */
export class WorksetIdCollision extends Error {
  constructor(readonly worksetId: string) {
    super(`workset id ${worksetId} already exists`);
  }
}
