/**
 * Which errors thrown through the stores mean "a dependency is unavailable, try again" rather
 * than "this code is wrong": the SDK marks server faults and retryable errors, throttling has
 * well-known names, and an unreachable endpoint is a socket error. Read by shape, so nothing
 * outside the adapters imports the SDK to ask.
 */
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
