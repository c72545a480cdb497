/**
 * The domain's error family. Flows throw these; one middleware (http/problem-errors.ts) maps them
 * to `application/problem+json`. Each carries what a response needs, nothing about HTTP.
 */

export interface FieldError {
  /** Where the problem is, e.g. `samples[3].r1_file`. */
  readonly field: string;
  readonly message: string;
}

export abstract class WorksetApiError extends Error {
  abstract readonly code: string;
  abstract readonly title: string;
}

/** The request is malformed: a field is missing, of the wrong type, or out of range. */
export class InvalidInputError extends WorksetApiError {
  readonly code: string = 'invalid-input';
  readonly title: string = 'Invalid request';
  constructor(
    message: string,
    readonly errors: readonly FieldError[] = [],
  ) {
    super(message);
  }
}

/**
 * The request is well formed but cannot be acted on: an unknown pipeline or genome build, samples
 * given twice over, a FASTQ name with no data location to resolve it against, duplicate sample ids.
 */
export class UnprocessableInputError extends InvalidInputError {
  override readonly code: string = 'unprocessable-input';
  override readonly title: string = 'Request cannot be processed';
}

export class NotFoundError extends WorksetApiError {
  readonly code = 'not-found';
  readonly title = 'Not found';
}

/** The one answer for a customer or workset that does not exist, or is not the caller's to see. */
export const notFound = (what: string, id: string): NotFoundError => new NotFoundError(`${what} ${id.slice(0, 100)} not found.`);

/** The request conflicts with the current state (a reused idempotency key, a forbidden transition). */
export class ConflictError extends WorksetApiError {
  readonly code: string = 'conflict';
  readonly title: string = 'Conflict';
  constructor(
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

/** No verified principal where one is required (no token, or one API Gateway would not have passed). */
export class UnauthenticatedError extends WorksetApiError {
  readonly code = 'unauthenticated';
  readonly title = 'Unauthorized';
}

/** The principal is known but may not do this (a token naming no customer, a suspended customer). */
export class ForbiddenError extends WorksetApiError {
  readonly code = 'forbidden';
  readonly title = 'Forbidden';
}

/** Unprocessable input the customer's settings refuse (too many samples, data outside its locations); `errors` names each field. */
export class NotAllowedInputError extends UnprocessableInputError {
  override readonly code = 'not-allowed';
  override readonly title = 'Not allowed for this customer';
}

/** A quota is used up (a conflict with the customer's current usage): `details` names the quota, its `limit` and the `usage`. */
export class QuotaExceededError extends ConflictError {
  override readonly code = 'quota-exceeded';
  override readonly title = 'Quota exceeded';
  declare readonly details: { readonly quota: string; readonly limit: number; readonly usage: number };
}

/** The service is missing configuration it needs (e.g. the control bucket). */
export class NotConfiguredError extends WorksetApiError {
  readonly code = 'not-configured';
  readonly title = 'Service not configured';
}

/** A dependency (DynamoDB, S3) failed; the operation can be retried. Never carries raw AWS text. */
export class UpstreamError extends WorksetApiError {
  readonly code: string = 'upstream-failure';
  readonly title: string = 'Upstream service failure';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A customer's workset, for an answer to point at (http/ renders it as a `Location`). */
export interface WorksetRef {
  readonly customerId: string;
  readonly worksetId: string;
}

/**
 * A dependency failed at a point where the request cannot tell what it achieved (a write whose
 * reply was lost, and a record that could not be read back): never "nothing happened". `workset`
 * is where the outcome can be looked up once the service has settled it.
 */
export class OutcomeUnknownError extends UpstreamError {
  override readonly code = 'outcome-unknown';
  override readonly title = 'Outcome unknown';
  constructor(
    message: string,
    readonly workset: WorksetRef,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * A store's dependency (DynamoDB, S3) was unavailable or throttled the request: what adapters
 * throw instead of the SDK's error. The message never names tables or buckets.
 */
export class StorageUnavailableError extends UpstreamError {
  constructor(options?: { cause?: unknown }) {
    super('A storage service was unavailable or throttled the request; retry it.', options);
  }
}
