/**
 * Which SDK errors mean "a dependency is unavailable, try again" rather than "this code is wrong":
 * the SDK marks server faults and retryable errors, throttling has well-known names, and an
 * unreachable endpoint is a socket error. The adapters turn those into StorageUnavailableError, so
 * no SDK error crosses a port.
 */
import { StorageUnavailableError } from '../errors.ts';

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'SlowDown',
  'TooManyRequestsException',
  'TransactionConflictException',
  'TransactionCanceledException',
]);
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

export function isDependencyFailure(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return false;
  const shaped = error as { $fault?: string; $retryable?: unknown; name?: string; code?: string };
  return (
    shaped.$fault === 'server' ||
    shaped.$retryable !== undefined ||
    THROTTLING.has(shaped.name ?? '') ||
    shaped.name === 'TimeoutError' ||
    NETWORK.has(shaped.code ?? '')
  );
}

/** The error a port lets through: a dependency failure becomes StorageUnavailableError (the SDK's error as its cause). */
export function translated(error: unknown): unknown {
  return isDependencyFailure(error) && !(error instanceof StorageUnavailableError) ? new StorageUnavailableError({ cause: error }) : error;
}

/** Runs one SDK call, translating its failure. */
export async function sdkCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw translated(error);
  }
}
