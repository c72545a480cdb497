/**
 * The sample events in events/: one per entry of the entry-point table, each shaped like what its
 * trigger sends — API Gateway v2 for a route, a DynamoDB stream batch of its table for a stream
 * entry, the stack schedule's tick for a schedule entry (the bundle tests and
 * `infra/invoke-bundle.ts` replay them).
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2WithIAMAuthorizer, DynamoDBStreamEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { ScheduledTick } from '../../infra/delivery-policy.ts';
import { EVENTS_DIR, sampleEventFile } from '../../infra/invoke-bundle.ts';
import { ENTRY_POINTS, HTTP_ENTRIES, isScheduleEntry, isStreamEntry, jwtScopeName, type EntryPoint, type HttpEntry } from '../../infra/entry-points.ts';
import { dynamoOutbox } from '../../lambdas/lib/stores/dynamodb/outbox.ts';

const eventOf = (route: HttpEntry) => JSON.parse(readFileSync(sampleEventFile(route), 'utf8')) as APIGatewayProxyEventV2WithIAMAuthorizer;
const pathParameterNames = (route: HttpEntry) => [...route.trigger.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);

const sampleOf = <T>(entry: EntryPoint) => JSON.parse(readFileSync(sampleEventFile(entry), 'utf8')) as T;

describe('sample events', () => {
  it('exist for every entry, and only for entries', () => {
    const files = readdirSync(EVENTS_DIR).filter((name) => name.endsWith('.json')).sort();
    expect(files).toEqual(ENTRY_POINTS.map((entry) => `${entry.id}.json`).sort());
  });

  it.each(ENTRY_POINTS.filter(isStreamEntry).map((entry) => [entry.id, entry] as const))('%s: is a stream batch of its table, both images, whose history items the outbox reads as changes', (_id, entry) => {
    const event = sampleOf<DynamoDBStreamEvent>(entry);
    expect(event.Records.length).toBeGreaterThan(0);
    for (const record of event.Records) {
      expect(record.eventSourceARN).toMatch(new RegExp(`^arn:aws:dynamodb:[a-z0-9-]+:\\d{12}:table/[^/]*${entry.trigger.table.charAt(0).toUpperCase()}${entry.trigger.table.slice(1)}Table[^/]*/stream/`));
      expect(record.dynamodb).toMatchObject({ StreamViewType: 'NEW_AND_OLD_IMAGES', SequenceNumber: expect.stringMatching(/^\d+$/), Keys: { workset_id: { S: expect.any(String) } } });
    }
    const read = dynamoOutbox().read(event.Records);
    expect(read.filter((change) => change.detail).length).toBeGreaterThan(0);
    expect(read.filter((change) => change.problem)).toEqual([]);
  });

  it.each(ENTRY_POINTS.filter(isScheduleEntry).map((entry) => [entry.id, entry] as const))('%s: is the tick the stack\'s schedule sends', (_id, entry) => {
    const tick = sampleOf<ScheduledTick>(entry);
    expect(Object.keys(tick).sort()).toEqual(['attemptNumber', 'executionId', 'scheduleArn', 'scheduledTime']);
    expect(tick.scheduleArn).toMatch(new RegExp(`^arn:aws:scheduler:[a-z0-9-]+:\\d{12}:schedule/default/.*${entry.id}Schedule$`));
    expect(tick.scheduledTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(tick.attemptNumber).toBe('1');
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
