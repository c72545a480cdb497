/**
 * The wire form of every listing's cursor (DynamoDB's, the in-memory stores', the reconciler's):
 * JSON in base64url, so a `next_token` is opaque and URL-safe. What a cursor may contain is each
 * listing's own check; a token that is not even a JSON object is refused here, on `next_token`.
 */
import { InvalidInputError } from '../errors.ts';

export function encodeToken(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

export function invalidCursor(): InvalidInputError {
  return new InvalidInputError('next_token is not a cursor this listing issued.', [{ field: 'next_token', message: 'is invalid' }]);
}

/** The object a token encodes; anything else (not base64url JSON, null, an array, a scalar) is an InvalidInputError. */
export function decodeTokenObject(token: string): Record<string, unknown> {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (decoded === null || typeof decoded !== 'object' || Array.isArray(decoded)) throw invalidCursor();
  return decoded as Record<string, unknown>;
}
