/**
 * A request's input, resolved from an API Gateway v2 event by the entry's contract before its
 * handler runs: path parameters, query string, headers and the JSON body, each validated with the
 * contract's schemas. Every bad field is named at once (a 400); a path parameter that names
 * nothing that can exist is a 404; a body that is not JSON is a 415.
 */
import * as v from 'valibot';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { InvalidInputError, notFound, type FieldError } from '../errors.ts';
import type { BodyContract, RequestContract, RequestInput } from '../schemas/contract.ts';
import { fieldErrors, invalidInput } from '../schemas/parse.ts';
import { HttpProblem } from './http-errors.ts';

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * How deep a JSON body may nest. DynamoDB stores at most 32 levels, and a value nested deep enough
 * overflows the stack of whatever walks it recursively; no contract needs more than a few.
 */
export const MAX_JSON_DEPTH = 16;

/** Whether `value` nests deeper than `limit` (walked without recursion, so any depth is safe to ask). */
function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

/** The body as a JSON object; 415 for another media type, 400 for malformed JSON or a non-object. */
function jsonObjectBody(event: APIGatewayProxyEventV2, contract: BodyContract): Record<string, unknown> {
  const raw = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
  // An action whose inputs are all optional may be sent without a body.
  if (!contract.required && raw.trim() === '') return {};
  if (!JSON_MEDIA_TYPE.test(event.headers?.['content-type'] ?? '')) {
    throw new HttpProblem(415, 'Unsupported Media Type', 'The request body must be JSON, sent with Content-Type: application/json.');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new InvalidInputError('The request body is not valid JSON.', [{ field: '(body)', message: 'is not valid JSON' }]);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InvalidInputError('The request body must be a JSON object.', [{ field: '(body)', message: 'must be a JSON object' }]);
  }
  if (nestsDeeperThan(parsed, MAX_JSON_DEPTH)) {
    throw new InvalidInputError(`The request body nests deeper than ${MAX_JSON_DEPTH} levels.`, [{ field: '(body)', message: `must not nest deeper than ${MAX_JSON_DEPTH} levels` }]);
  }
  return parsed as Record<string, unknown>;
}

export function resolveInput<C extends RequestContract>(contract: C, event: APIGatewayProxyEventV2): RequestInput<C> {
  const errors: FieldError[] = [];
  const parse = (schema: v.GenericSchema, value: unknown, prefix: string): unknown => {
    const result = v.safeParse(schema, value, { abortEarly: false });
    if (result.success) return result.output;
    errors.push(...fieldErrors(result.issues, prefix));
    return undefined;
  };

  const path: Record<string, unknown> = {};
  for (const [name, parameter] of Object.entries(contract.path ?? {})) {
    const value = event.pathParameters?.[name];
    if (value === undefined) {
      errors.push({ field: name, message: 'is required' });
    } else if (parameter.notFoundAs !== undefined && !v.safeParse(parameter.schema, value).success) {
      throw notFound(parameter.notFoundAs, value);
    } else {
      path[name] = parse(parameter.schema, value, name);
    }
  }

  const rawQuery = event.queryStringParameters ?? {};
  const query = contract.query ? parse(contract.query, rawQuery, '') : {};

  const headers: Record<string, unknown> = {};
  for (const [name, parameter] of Object.entries(contract.headers ?? {})) {
    const value = event.headers?.[name.toLowerCase()];
    if (value !== undefined) headers[name] = parse(parameter.schema, value, name);
  }

  let body: unknown;
  if (contract.body) {
    const raw = jsonObjectBody(event, contract.body);
    body = parse(contract.body.schema, contract.body.alsoFromQuery?.merge(raw, rawQuery) ?? raw, '');
  }

  if (errors.length > 0) throw invalidInput('request', errors);
  return { path, query, headers, body } as RequestInput<C>;
}
