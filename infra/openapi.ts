/**
 * The OpenAPI 3.0 document, generated from the route table and the routes' valibot schemas (the
 * ones the handlers validate with). `npm run openapi` writes docs/openapi.json; a test keeps the
 * committed file equal to what this produces.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { toJsonSchema } from '@valibot/to-json-schema';
import type { GenericSchema } from 'valibot';
import { ROUTES, type Route } from './routes.ts';

type Json = Record<string, unknown>;

const schemaOf = (schema: GenericSchema): Json => {
  // `input`: a request is documented as the client sends it (before defaults and transforms).
  const { $schema: _ignored, ...rest } = toJsonSchema(schema, { target: 'openapi-3.0', typeMode: 'input', errorMode: 'ignore' }) as Json;
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
    errors: {
      type: 'array',
      description: 'Per-field problems of an invalid request.',
      items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } }, required: ['field', 'message'] },
    },
  },
};

const PROBLEM_RESPONSES: Record<string, string> = {
  400: 'Invalid request: `errors` names each bad field.',
  404: 'Not found (also for another customer’s workset).',
  409: 'Conflict with the current state.',
  415: 'The body is not JSON.',
  503: 'A dependency failed or the service is not configured; retry later.',
};

/** The problem statuses a route documents (a 500 is never documented: it is always a bug). */
export function problemStatuses(route: Route): number[] {
  const { contract } = route;
  const applies: Record<string, boolean> = {
    400: route.path.includes('{') || Boolean(contract.query || contract.body),
    404: route.path.includes('{'),
    409: route.method !== 'GET',
    415: Boolean(contract.body),
    503: route.auth === 'iam',
  };
  return Object.keys(PROBLEM_RESPONSES).filter((status) => applies[status]).map(Number);
}

function operation(route: Route): Json {
  const { contract } = route;
  const parameters: Json[] = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  if (contract.query) {
    const query = schemaOf(contract.query) as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, schema] of Object.entries(query.properties ?? {})) {
      parameters.push({ name, in: 'query', required: query.required?.includes(name) ?? false, schema });
    }
  }
  for (const [name, description] of Object.entries(contract.headers ?? {})) {
    parameters.push({ name, in: 'header', required: false, description, schema: { type: 'string' } });
  }
  const responses: Json = {};
  for (const [status, response] of Object.entries(contract.responses)) {
    responses[status] = {
      description: response.description,
      ...(response.schema ? { content: { 'application/json': { schema: schemaOf(response.schema) } } } : {}),
    };
  }
  for (const status of problemStatuses(route)) {
    responses[status] = { description: PROBLEM_RESPONSES[status], content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
  }
  return {
    operationId: route.id,
    summary: route.summary,
    ...(route.auth === 'iam' ? { security: [{ sigv4: [] }] } : { security: [] }),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(contract.body ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(contract.body) } } } } : {}),
    responses,
  };
}

export function buildOpenApi(routes: readonly Route[] = ROUTES): Json {
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation(route) };
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'Daylily workset API',
      version: '0.1.0',
      description: 'Registration and lifecycle of Daylily worksets. Generated from infra/routes.ts.',
    },
    paths,
    components: {
      schemas: { Problem: PROBLEM },
      securitySchemes: {
        sigv4: { type: 'apiKey', name: 'Authorization', in: 'header', description: 'AWS SigV4 (API Gateway IAM authorization).' },
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
