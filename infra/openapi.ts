/**
 * The OpenAPI 3.0 document, generated from the entry-point table and the routes' valibot schemas (the
 * ones the handlers validate with). `npm run openapi` writes docs/openapi.json; a test keeps the
 * committed file equal to what this produces.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { toJsonSchema } from '@valibot/to-json-schema';
import type { GenericSchema } from 'valibot';
import { MAX_PROBLEM_ERRORS } from '../lambdas/lib/http/problem-errors.ts';
import { tsvScalar } from '../lambdas/lib/schemas/fields.ts';
import { HTTP_ENTRIES, jwtScopeName, type HttpEntry } from './entry-points.ts';

type Json = Record<string, unknown>;

const schemaOf = (schema: GenericSchema): Json => {
  // `input`: a request is documented as the client sends it (before defaults and transforms).
  const { $schema: _ignored, ...rest } = toJsonSchema(schema, {
    target: 'openapi-3.0',
    typeMode: 'input',
    errorMode: 'ignore',
    // A TSV cell is one check at run time (a smaller bundle); documented as the union it accepts.
    overrideSchema: ({ valibotSchema }) => (valibotSchema === tsvScalar ? { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] } : undefined),
  }) as Json;
  return rest;
};

const PROBLEM = {
  type: 'object',
  description: 'RFC 9457 problem details.',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string', description: 'The request id.' },
    workset_id: { type: 'string', description: 'The workset concerned (a conflict, or an outcome that is unknown).' },
    errors: {
      type: 'array',
      maxItems: MAX_PROBLEM_ERRORS,
      description: `Per-field problems of an invalid request: the first ${MAX_PROBLEM_ERRORS}.`,
      items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } }, required: ['field', 'message'] },
    },
    errors_omitted: { type: 'integer', description: 'How many more field problems there were than `errors` lists.' },
  },
};

const PROBLEM_RESPONSES: Record<string, string> = {
  400: 'Invalid request: `errors` names each bad field.',
  401: 'No bearer token, or one that is expired, not signed by the trusted issuer, or not for this API.',
  403: 'Not allowed: a token without the route’s scope or naming no customer, a machine client no customer registered, a suspended customer (or, on an IAM route, a request the caller’s policy does not allow).',
  404: 'Not found (also for another customer’s workset, or another customer).',
  409: 'Conflict with the current state.',
  415: 'The body is not JSON.',
  422: 'Well formed, but it cannot be acted on: `errors` names each field.',
  429: 'A quota is used up: `quota` names it, with its `limit` and current `usage`.',
  503: 'A dependency failed or the service is not configured; retry later.',
};

/** The problem statuses a route documents (a 500 is never documented: it is always a bug). */
export function problemStatuses(route: HttpEntry): number[] {
  const { request } = route.contract;
  const applies: Record<string, boolean> = {
    400: Boolean(request.path || request.query || request.body || request.headers),
    401: route.trigger.auth === 'jwt',
    403: route.trigger.auth !== 'none',
    404: route.trigger.path.includes('{'),
    409: route.trigger.method !== 'GET',
    415: Boolean(request.body),
    // Only where the route says when (contract.problems): it is the route's own rule.
    422: Boolean(route.contract.problems?.[422]),
    429: Boolean(route.contract.problems?.[429]),
    503: route.trigger.auth !== 'none',
  };
  return Object.keys(PROBLEM_RESPONSES).filter((status) => applies[status]).map(Number);
}

/** The path parameters of a route's template, in order. */
export function templateParameters(path: string): string[] {
  return [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => name!);
}

function parametersOf(route: HttpEntry): Json[] {
  const { request } = route.contract;
  const declared = Object.keys(request.path ?? {});
  const template = templateParameters(route.trigger.path);
  if (declared.join() !== template.join()) {
    throw new Error(`${route.id}: its contract reads path parameters [${declared.join(', ')}] but its path ${route.trigger.path} has [${template.join(', ')}].`);
  }
  const parameters: Json[] = Object.entries(request.path ?? {}).map(([name, parameter]) => ({ name, in: 'path', required: true, schema: schemaOf(parameter.schema) }));
  if (request.query) {
    const query = schemaOf(request.query) as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, schema] of Object.entries(query.properties ?? {})) {
      parameters.push({ name, in: 'query', required: query.required?.includes(name) ?? false, schema });
    }
  }
  if (request.body?.alsoFromQuery) {
    const body = schemaOf(request.body.schema) as { properties?: Record<string, Json> };
    for (const name of request.body.alsoFromQuery.names) {
      parameters.push({ name, in: 'query', required: false, description: 'May be sent in the body instead; sent in both, they must agree.', schema: body.properties?.[name] ?? {} });
    }
  }
  for (const [name, header] of Object.entries(request.headers ?? {})) {
    parameters.push({ name, in: 'header', required: false, description: header.description, schema: schemaOf(header.schema) });
  }
  return parameters;
}

const SECURITY: Readonly<Record<HttpEntry['trigger']['auth'], Json[]>> = { none: [], iam: [{ sigv4: [] }], jwt: [{ bearer: [] }] };

function operation(route: HttpEntry): Json {
  const { request, responses: documented } = route.contract;
  const parameters = parametersOf(route);
  const undocumented = Object.keys(route.contract.problems ?? {}).filter((status) => !problemStatuses(route).includes(Number(status)));
  if (undocumented.length > 0) throw new Error(`${route.id}: problems ${undocumented.join(', ')} are not statuses this route documents.`);
  const responses: Json = {};
  for (const [status, response] of Object.entries(documented)) {
    responses[status] = {
      description: response.description,
      ...(response.schema ? { content: { 'application/json': { schema: schemaOf(response.schema) } } } : {}),
    };
  }
  for (const status of problemStatuses(route)) {
    const special = route.contract.problems?.[status];
    const headers = Object.entries(special?.headers ?? {}).map(([name, description]) => [name, { description, schema: { type: 'string' } }]);
    responses[status] = {
      description: special?.description ?? PROBLEM_RESPONSES[status],
      ...(headers.length > 0 ? { headers: Object.fromEntries(headers) } : {}),
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    };
  }
  return {
    operationId: route.id,
    summary: route.summary,
    ...(route.trigger.auth === 'jwt' ? { description: `A bearer token with the scope \`${jwtScopeName(route.trigger)}\` (docs/auth.md); the path's customer must be the token's, unless it is an operator's.` } : {}),
    security: SECURITY[route.trigger.auth],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(request.body ? { requestBody: { required: request.body.required, content: { 'application/json': { schema: schemaOf(request.body.schema) } } } } : {}),
    responses,
  };
}

export function buildOpenApi(routes: readonly HttpEntry[] = HTTP_ENTRIES): Json {
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    paths[route.trigger.path] = { ...paths[route.trigger.path], [route.trigger.method.toLowerCase()]: operation(route) };
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'Daylily workset API',
      version: '0.1.0',
      description: 'Registration and lifecycle of Daylily worksets. Generated from infra/entry-points.ts.',
    },
    paths,
    components: {
      schemas: { Problem: PROBLEM },
      securitySchemes: {
        sigv4: { type: 'apiKey', name: 'Authorization', in: 'header', description: 'AWS SigV4 (API Gateway IAM authorization).' },
        ...(routes.some((route) => route.trigger.auth === 'jwt')
          ? { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: "An access token of a lab's user or machine client, or of an operator (API Gateway JWT authorizer; docs/auth.md)." } }
          : {}),
      },
    },
  };
}

export const OPENAPI_FILE = fileURLToPath(new URL('../docs/openapi.json', import.meta.url));

export function renderOpenApi(): string {
  return `${JSON.stringify(buildOpenApi(), null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(OPENAPI_FILE, renderOpenApi());
  console.log(`wrote ${OPENAPI_FILE}`);
}
