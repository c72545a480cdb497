/**
 * The sample API Gateway v2 events in events/: one per route of the entry-point table, each shaped like
 * what API Gateway sends that route (the bundle tests and `infra/invoke-bundle.ts` replay them).
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2WithIAMAuthorizer } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { EVENTS_DIR, sampleEventFile } from '../../infra/invoke-bundle.ts';
import { HTTP_ENTRIES, jwtScopeName, type HttpEntry } from '../../infra/entry-points.ts';

const eventOf = (route: HttpEntry) => JSON.parse(readFileSync(sampleEventFile(route), 'utf8')) as APIGatewayProxyEventV2WithIAMAuthorizer;
const pathParameterNames = (route: HttpEntry) => [...route.trigger.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);

describe('sample events', () => {
  it('exist for every route, and only for routes', () => {
    const files = readdirSync(EVENTS_DIR).filter((name) => name.endsWith('.json')).sort();
    expect(files).toEqual(HTTP_ENTRIES.map((route) => `${route.id}.json`).sort());
  });

  it.each(HTTP_ENTRIES.map((route) => [route.id, route] as const))('%s: is a v2 event for the route\'s method and path', (_id, route) => {
    const event = eventOf(route);
    expect(event.version).toBe('2.0');
    expect(event.routeKey).toBe(`${route.trigger.method} ${route.trigger.path}`);
    expect(event.requestContext.routeKey).toBe(event.routeKey);
    expect(event.requestContext.http.method).toBe(route.trigger.method);
    expect(event.requestContext.http.path).toBe(event.rawPath);
    expect(Object.keys(event.pathParameters ?? {}).sort()).toEqual(pathParameterNames(route).sort());
    const concretePath = route.trigger.path.replace(/\{([^}]+)\}/g, (_match, name: string) => encodeURIComponent(event.pathParameters![name]!));
    expect(event.rawPath).toBe(concretePath);
  });

  it.each(HTTP_ENTRIES.map((route) => [route.id, route] as const))('%s: carries the caller its route authorizes: an IAM caller, or a token\'s claims as API Gateway delivers them', (_id, route) => {
    const event = eventOf(route);
    const authorizer = event.requestContext.authorizer as { iam?: { userArn?: string }; jwt?: { claims: Record<string, unknown>; scopes: string[] } } | undefined;
    if (route.trigger.auth === 'iam') expect(authorizer?.iam?.userArn).toMatch(/^arn:aws:sts::\d{12}:/);
    else if (route.trigger.auth === 'jwt') {
      expect(Object.keys(authorizer ?? {})).toEqual(['jwt']);
      // Every claim a string (arrays as "[a b]"), and the scope the route requires.
      expect(Object.values(authorizer!.jwt!.claims).every((value) => typeof value === 'string')).toBe(true);
      // A customer route's caller is a user of the path's customer (the catalogue's names none).
      if (route.trigger.path.includes('{customer_id}')) expect(authorizer!.jwt!.claims['cognito:groups']).toBe(`[customer:${event.pathParameters!.customer_id}]`);
      expect(authorizer!.jwt!.scopes).toContain(jwtScopeName(route.trigger));
    } else expect(authorizer).toBeUndefined();
  });

  it.each(HTTP_ENTRIES.map((route) => [route.id, route] as const))('%s: sends a body only as JSON, with its content type', (_id, route) => {
    const event = eventOf(route);
    if (event.body === undefined) return;
    expect(event.headers['content-type']).toBe('application/json');
    expect(() => JSON.parse(event.body!)).not.toThrow();
  });
});
