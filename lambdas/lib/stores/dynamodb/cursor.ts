/**
 * Pagination cursors: DynamoDB's LastEvaluatedKey, base64url-encoded. A cursor is checked against
 * the key shape and the caller's partition before use, so a forged one is a 400, not a DynamoDB
 * ValidationException (or a peek into another customer's partition).
 */
import { InvalidInputError } from '../../errors.ts';

type Key = Record<string, string>;

export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key === undefined ? undefined : Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export function decodeCursor(token: string, expected: { fields: readonly string[]; partition: [string, string] }): Key {
  const invalid = () => new InvalidInputError('next_token is not a cursor this listing issued.', [{ field: 'next_token', message: 'is invalid' }]);
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (decoded === null || typeof decoded !== 'object' || Array.isArray(decoded)) throw invalid();
  const entries = Object.entries(decoded);
  const shapeOk =
    entries.length === expected.fields.length &&
    entries.every(([name, value]) => expected.fields.includes(name) && typeof value === 'string' && value.length <= 1024);
  const [partitionName, partitionValue] = expected.partition;
  if (!shapeOk || (decoded as Key)[partitionName] !== partitionValue) throw invalid();
  return decoded as Key;
}
