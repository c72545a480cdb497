/**
 * What the in-memory stores share about order and paging: keys compare as DynamoDB and S3 compare
 * them (UTF-8 bytes), and cursors are opaque tokens naming the listing they belong to and the last
 * position read, so a cursor from another listing (or another customer's) is refused like the
 * DynamoDB adapter refuses it: an InvalidInputError on `next_token`.
 */
import { decodeTokenObject, encodeToken, invalidCursor } from '../cursor-token.ts';

export { invalidCursor };

/** DynamoDB sort keys and S3 keys order by their UTF-8 bytes, not by UTF-16 code units. */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Where a page stopped: the last item's sort key and workset id (ties within a sort key go by id). */
export interface Position {
  readonly sort: string;
  readonly id: string;
}

export function comparePositions(a: Position, b: Position): number {
  return compareUtf8(a.sort, b.sort) || compareUtf8(a.id, b.id);
}

/** A cursor: which listing issued it (e.g. `{ customer: id }`) and, unless it starts a partition, where it stopped. */
export interface Cursor {
  readonly listing: Readonly<Record<string, string>>;
  readonly after?: Position;
}

export function encodeCursor(cursor: Cursor): string {
  return encodeToken(cursor);
}

const isString = (value: unknown): value is string => typeof value === 'string';

/** Reads a cursor; `accepts` says whether its listing is this one. Anything else is an InvalidInputError. */
export function decodeCursor(token: string, accepts: (listing: Readonly<Record<string, string>>) => boolean): Cursor {
  const { listing, after, ...rest } = decodeTokenObject(token);
  if (Object.keys(rest).length > 0 || listing === null || typeof listing !== 'object' || Array.isArray(listing)) throw invalidCursor();
  if (!Object.values(listing).every(isString) || !accepts(listing as Record<string, string>)) throw invalidCursor();
  if (after === undefined) return { listing: listing as Record<string, string> };
  const position = after as Partial<Position> | null;
  if (position === null || typeof position !== 'object' || !isString(position.sort) || !isString(position.id) || Object.keys(position).length !== 2) {
    throw invalidCursor();
  }
  return { listing: listing as Record<string, string>, after: { sort: position.sort, id: position.id } };
}

/** Index order: ascending (the state and history indexes) or descending (a customer's newest first). */
export type Direction = 1 | -1;

/**
 * One query of an index, as DynamoDB runs it: the items after `start` in `ordered` (sorted in
 * `direction`), at most `limit` of them evaluated, and the last one evaluated when the limit
 * stopped the query (DynamoDB's LastEvaluatedKey, present even when nothing follows it).
 */
export function queryPage<T>(
  ordered: readonly T[],
  position: (item: T) => Position,
  direction: Direction,
  start: Position | undefined,
  limit: number,
): { items: T[]; last?: Position } {
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`a query limit must be a positive integer, not ${limit}`);
  const from = start === undefined ? 0 : ordered.findIndex((item) => direction * comparePositions(position(item), start) > 0);
  const items = from < 0 ? [] : ordered.slice(from, from + limit);
  return items.length === limit ? { items, last: position(items[items.length - 1]!) } : { items };
}

/** Sorts by position in `direction`. */
export function inOrder<T>(items: Iterable<T>, position: (item: T) => Position, direction: Direction): T[] {
  return [...items].sort((a, b) => direction * comparePositions(position(a), position(b)));
}
