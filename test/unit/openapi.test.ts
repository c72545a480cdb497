import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildOpenApi, OPENAPI_FILE, renderOpenApi } from '../../infra/openapi.ts';
import { HTTP_ENTRIES } from '../../infra/entry-points.ts';

describe('the OpenAPI document', () => {
  it('is up to date with the entry-point table (run `npm run openapi` after changing a route or schema)', () => {
    expect(readFileSync(OPENAPI_FILE, 'utf8')).toBe(renderOpenApi());
  });

  it('has one operation per route, with the route id and its security', () => {
    const document = buildOpenApi() as { paths: Record<string, Record<string, { operationId: string; security: unknown[] }>> };
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ path, method: method.toUpperCase(), ...operation })),
    );
    expect(operations.map((operation) => operation.operationId).sort()).toEqual(HTTP_ENTRIES.map((route) => route.id).sort());
    for (const route of HTTP_ENTRIES) {
      const operation = operations.find((candidate) => candidate.operationId === route.id)!;
      expect(operation).toMatchObject({ path: route.trigger.path, method: route.trigger.method });
      expect(operation.security.length > 0).toBe(route.trigger.auth !== 'none');
    }
  });

  it('documents the create body from the validation schema', () => {
    const document = buildOpenApi() as any;
    const body = document.paths['/api/customers/{customer_id}/worksets'].post.requestBody.content['application/json'].schema;
    expect(body.required.sort()).toEqual(['pipeline_type', 'reference_genome', 'workset_name']);
    expect(body.properties.priority.enum).toEqual(['urgent', 'normal', 'low']);
    expect(body.additionalProperties).toBe(false);
  });
});
