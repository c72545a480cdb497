/**
 * Every answer a test receives through `call()` is held to what docs/openapi.json promises for its
 * route (the entry-point table's contract): a success body parses with the schema documented for its
 * status and carries no field the schema does not name; an error is an RFC 9457 problem with a
 * documented status (or 500, which is never documented). A handler that drifts from its documented
 * shape fails whichever test saw the drift.
 */
import * as v from 'valibot';
import type { GenericSchema } from 'valibot';
import { problemStatuses } from '../../infra/openapi.ts';
import type { HttpEntry } from '../../infra/entry-points.ts';

export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
  readonly json: unknown;
}

type Introspectable = GenericSchema & {
  readonly type: string;
  readonly entries?: Record<string, GenericSchema>;
  readonly wrapped?: GenericSchema;
  readonly item?: GenericSchema;
  readonly options?: readonly GenericSchema[];
  readonly value?: GenericSchema;
};

/** Paths of fields in `value` that `schema` does not name (valibot's `object` drops them silently). */
export function undocumentedFields(schema: GenericSchema, value: unknown, path = '$'): string[] {
  const node = schema as Introspectable;
  if (value === undefined || value === null) return [];
  switch (node.type) {
    case 'optional':
    case 'nullable':
    case 'nullish':
      return undocumentedFields(node.wrapped!, value, path);
    case 'object': {
      if (typeof value !== 'object') return [];
      const entries = node.entries ?? {};
      return Object.entries(value as Record<string, unknown>).flatMap(([key, item]) =>
        key in entries ? undocumentedFields(entries[key]!, item, `${path}.${key}`) : [`${path}.${key}`],
      );
    }
    case 'array':
      return Array.isArray(value) ? value.flatMap((item, index) => undocumentedFields(node.item!, item, `${path}[${index}]`)) : [];
    case 'record':
      return Object.entries(value as Record<string, unknown>).flatMap(([key, item]) => undocumentedFields(node.value!, item, `${path}.${key}`));
    case 'union': {
      const matching = node.options!.find((option) => v.safeParse(option, value).success);
      return matching ? undocumentedFields(matching, value, path) : [];
    }
    default:
      return [];
  }
}

/** What is wrong with `answer` as an answer of `route` (nothing: an empty list). */
export function contractViolations(route: HttpEntry, answer: Answer): string[] {
  const where = `${route.id} answered ${answer.status}`;
  const documented = route.contract.responses[answer.status];
  if (documented) {
    if (!documented.schema) return answer.text === '' ? [] : [`${where} with a body; the contract documents none`];
    if (answer.headers['content-type'] !== 'application/json') return [`${where} as ${answer.headers['content-type']}, not application/json`];
    const parsed = v.safeParse(documented.schema, answer.json);
    if (!parsed.success) {
      return parsed.issues.map((issue) => `${where}: ${v.getDotPath(issue) ?? '$'} ${issue.message}`);
    }
    return undocumentedFields(documented.schema, answer.json).map((field) => `${where}: ${field} is not in the documented schema`);
  }
  if (answer.status >= 400 && (answer.status === 500 || problemStatuses(route).includes(answer.status))) {
    const problem = answer.json as Record<string, unknown> | undefined;
    const complete =
      answer.headers['content-type'] === 'application/problem+json' &&
      typeof problem?.type === 'string' &&
      typeof problem.title === 'string' &&
      typeof problem.detail === 'string' &&
      problem.status === answer.status;
    return complete ? [] : [`${where} without a complete problem+json document: ${answer.text.slice(0, 200)}`];
  }
  return [`${where}, a status its contract does not document`];
}
