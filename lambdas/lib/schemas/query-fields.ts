/**
 * Body fields a client may send in the query string instead (the reference API took a worker's
 * `owner_id` there). A contract opts in with `queryFields(names)`: only the routes that take them
 * bundle the merge, and the OpenAPI document lists the same names.
 */
import { InvalidInputError } from '../errors.ts';

export interface QueryFields {
  readonly names: readonly string[];
  /** `body` with the named query parameters added; sent in both places, they must agree (a 400 otherwise). */
  readonly merge: (body: Record<string, unknown>, query: Readonly<Record<string, string | undefined>>) => Record<string, unknown>;
}

/** Whether a body value says what the query string's text says (`7` and `"7"` do; an object never does). */
function agrees(value: unknown, fromQuery: string): boolean {
  // Not String(value): a body object such as {"toString": 1} makes String() throw (a 500).
  return (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') && String(value) === fromQuery;
}

export function queryFields(names: readonly string[]): QueryFields {
  return {
    names,
    merge: (body, query) => {
      const merged = { ...body };
      for (const name of names) {
        const fromQuery = query[name];
        if (fromQuery === undefined) continue;
        if (merged[name] !== undefined && !agrees(merged[name], fromQuery)) {
          throw new InvalidInputError(`${name} differs between the query string and the body.`, [{ field: name, message: 'differs between query string and body' }]);
        }
        merged[name] ??= fromQuery;
      }
      return merged;
    },
  };
}
