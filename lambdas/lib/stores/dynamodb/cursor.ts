/**
 * Pagination cursors: DynamoDB's LastEvaluatedKey, base64url-encoded. A cursor is checked before
 * use: exactly the key attributes of its listing, each of the shape this table gives it, and the
 * caller's partition — so a forged one (an empty or malformed key field, another customer's
 * partition) is a 400, never a DynamoDB ValidationException (a 500) or a peek elsewhere.
 */
import { WORKSET_ID_PATTERN } from '../../domain/workset-id.ts';
import { CUSTOMER_ID_PATTERN, WORKSET_STATES } from '../../domain/workset.ts';
import { decodeTokenObject, encodeToken, invalidCursor } from '../cursor-token.ts';
import { HISTORY_ITEM_SEPARATOR } from '../tables.ts';

export { invalidCursor };

type Key = Record<string, string>;

/** The timestamps this service writes: ISO-8601 UTC with milliseconds. */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** What each key attribute of a listing's cursor may hold. */
export const KEY_SHAPES: Readonly<Record<string, (value: string) => boolean>> = {
  workset_id: (value) => WORKSET_ID_PATTERN.test(value),
  customer_id: (value) => CUSTOMER_ID_PATTERN.test(value),
  created_at: (value) => TIMESTAMP.test(value),
  state: (value) => (WORKSET_STATES as readonly string[]).includes(value),
  // `{priority rank}#{created_at}` (domain/workset.ts queueOrder).
  queue_order: (value) => /^[0-2]#/.test(value) && TIMESTAMP.test(value.slice(2)),
  history_of: (value) => WORKSET_ID_PATTERN.test(value),
  entry_id: (value) => /^\d{10}$/.test(value),
  // The customers' directory index (its one partition).
  directory: (value) => value === 'customers',
};

export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key === undefined ? undefined : encodeToken(key);
}

/**
 * The key a cursor names, if it is one this listing could have issued: `fields` are its key
 * attributes (of KEY_SHAPES), `partition` the attribute and value the listing is confined to.
 * A history item's key must also be the item of that entry (`{workset}#history#{entry}`).
 */
export function decodeCursor(token: string, expected: { fields: readonly string[]; partition: [string, string] }): Key {
  const key = decodeTokenObject(token);
  const entries = Object.entries(key);
  const historyItem = (value: string) => value === `${key.history_of}${HISTORY_ITEM_SEPARATOR}${key.entry_id}`;
  const shapeOk =
    entries.length === expected.fields.length &&
    entries.every(([name, value]) => {
      if (!expected.fields.includes(name) || typeof value !== 'string' || value.length > 1024) return false;
      if (name === 'workset_id' && expected.fields.includes('history_of')) return historyItem(value);
      return KEY_SHAPES[name]?.(value) ?? false;
    });
  const [partitionName, partitionValue] = expected.partition;
  if (!shapeOk || key[partitionName] !== partitionValue) throw invalidCursor();
  return key as Key;
}
