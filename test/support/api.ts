/**
 * Calls a route's real handler with an API Gateway HTTP API (v2) event, the way API Gateway would:
 * the route comes from the entry-point table, so a test exercises the handler file the stack deploys,
 * its AWS requests are held to the permissions the stack grants it (permissions-guard.ts),
 * and its answer to the contract docs/openapi.json documents (response-contract.ts).
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { ENTRY_POINTS, HTTP_ENTRIES, type EntryPoint, type HttpEntry } from '../../infra/entry-points.ts';
import { documentClient } from '../../lambdas/lib/stores/dynamodb/dynamodb-client.ts';
import { s3Client } from '../../lambdas/lib/stores/s3/s3-client.ts';
import { contractViolations } from './response-contract.ts';
import { asRoute, guardClient } from './permissions-guard.ts';

/** Who calls, as API Gateway's authorizer would describe it: a verified token's claims, or an IAM caller. */
export type TestPrincipal = { readonly jwt: Readonly<Record<string, string>> } | { readonly iam: string };

export interface CallInput {
  readonly path?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  /** An object is sent as JSON (with a JSON content type unless headers say otherwise). */
  readonly body?: unknown;
  /** A string body is base64 (API Gateway's `isBase64Encoded`, as for a media type it does not pass as text). */
  readonly base64?: boolean;
  /**
   * The caller. Default: on a customer route (auth `jwt`), a user of the path's customer (the
   * claims of a Cognito access token, as API Gateway delivers them); elsewhere nobody. `null`: nobody.
   */
  readonly principal?: TestPrincipal | null;
}

/**
 * A Cognito access token's claims as API Gateway's JWT authorizer delivers them: every value a
 * string, the groups array as one string like `[a b]`, no `aud`.
 */
export function tokenClaims(options: { readonly groups?: readonly string[]; readonly sub?: string; readonly clientId?: string; readonly username?: string; readonly extra?: Record<string, string> } = {}): Record<string, string> {
  const sub = options.sub ?? 'user-sub-0001';
  const now = Math.floor(Date.now() / 1000);
  return {
    sub,
    iss: 'https://cognito-idp.us-west-2.amazonaws.com/us-west-2_TEST',
    client_id: options.clientId ?? 'user-app-client',
    token_use: 'access',
    scope: 'daylily-workset-api/read daylily-workset-api/write',
    auth_time: String(now),
    iat: String(now),
    exp: String(now + 3600),
    jti: 'test-jti',
    ...(options.username === undefined && options.clientId !== undefined && sub === options.clientId ? {} : { username: options.username ?? `user-of-${sub}` }),
    ...(options.groups && options.groups.length > 0 ? { 'cognito:groups': `[${options.groups.join(' ')}]` } : {}),
    ...options.extra,
  };
}

/** A user of `customerId` (a member of its `customer:` group). */
export const customerUser = (customerId: string, username = `${customerId}-user`): TestPrincipal => ({ jwt: tokenClaims({ groups: [`customer:${customerId}`], username, sub: `${customerId}-sub` }) });
/** A member of the operators group. */
export const operatorUser = (username = 'operator-1'): TestPrincipal => ({ jwt: tokenClaims({ groups: ['operators'], username, sub: 'operator-sub' }) });
/** A machine client's client-credentials token (its subject is its client id). */
export const machineClient = (clientId: string): TestPrincipal => ({ jwt: tokenClaims({ sub: clientId, clientId }) });

export interface CallResult {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
  /** The body parsed as JSON (undefined when empty). */
  readonly json: any;
}

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
const handlers = new Map<string, Promise<Handler>>();

function loadHandler(file: string): Promise<Handler> {
  let loaded = handlers.get(file);
  if (!loaded) {
    loaded = import(/* @vite-ignore */ `../../${file}`).then((module: { handler: Handler }) => module.handler);
    handlers.set(file, loaded);
  }
  return loaded;
}

function lambdaContext(timeoutMs = 10_000): Context {
  const requestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-west-2:000000000000:function:test',
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: '/aws/lambda/test',
    logStreamName: 'test',
    getRemainingTimeInMillis: () => timeoutMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function routeById(routeId: string): HttpEntry {
  const route = HTTP_ENTRIES.find((candidate) => candidate.id === routeId);
  if (!route) throw new Error(`no route ${routeId} in the entry-point table`);
  return route;
}

export function buildEvent(routeId: string | HttpEntry, input: CallInput = {}): APIGatewayProxyEventV2 {
  const route = typeof routeId === 'string' ? routeById(routeId) : routeId;
  // A lone surrogate has no UTF-8 form, so it has no percent-encoding either: U+FFFD in rawPath
  // (which handlers do not read), the value itself in pathParameters.
  const encoded = (value: string) => encodeURIComponent(value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));
  const rawPath = route.trigger.path.replace(/\{(\w+)\}/g, (_match, name: string) => encoded(input.path?.[name] ?? ''));
  const headers: Record<string, string> = Object.fromEntries(
    Object.entries(input.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
  );
  let body: string | undefined;
  if (typeof input.body === 'string') body = input.body;
  else if (input.body !== undefined) {
    body = JSON.stringify(input.body);
    headers['content-type'] ??= 'application/json';
  }
  const query = input.query ?? {};
  const principal = input.principal === undefined ? defaultPrincipal(route, input) : input.principal;
  const authorizer = principal === null ? undefined : 'jwt' in principal ? { jwt: { claims: { ...principal.jwt }, scopes: null } } : { iam: { userArn: principal.iam } };
  return {
    version: '2.0',
    routeKey: `${route.trigger.method} ${route.trigger.path}`,
    rawPath,
    rawQueryString: new URLSearchParams(query as Record<string, string>).toString(),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: { ...query } } : {}),
    ...(input.path ? { pathParameters: { ...input.path } } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method: route.trigger.method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: randomUUID(),
      ...(authorizer ? { authorizer } : {}),
      routeKey: `${route.trigger.method} ${route.trigger.path}`,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: typeof input.body === 'string' && input.base64 === true,
  };
}

function defaultPrincipal(route: HttpEntry, input: CallInput): TestPrincipal | null {
  const customerId = input.path?.customer_id;
  return route.trigger.auth === 'jwt' && customerId !== undefined ? customerUser(customerId) : null;
}

export function call(routeId: string, input: CallInput = {}): Promise<CallResult> {
  return callRoute(routeById(routeId), input);
}

/** Like `call`, for a route given whole: a test can run a handler under other permissions. */
export async function callRoute(route: HttpEntry, input: CallInput = {}): Promise<CallResult> {
  const event = buildEvent(route, input);
  // The handlers' clients are per-process singletons; the region only matters to the first caller.
  const region = process.env.AWS_REGION ?? 'us-west-2';
  guardClient(documentClient(region), 'dynamodb', region);
  guardClient(s3Client(region), 's3', region);
  const handler = await loadHandler(route.handler);
  const result = await asRoute(route, () => handler(event, lambdaContext()));
  const text = typeof result.body === 'string' ? result.body : '';
  const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]));
  const answer = { status: result.statusCode ?? 200, headers, text, json: text === '' ? undefined : JSON.parse(text) };
  const violations = contractViolations(route, answer);
  if (violations.length > 0) throw new Error(`The answer breaks the documented contract:\n  ${violations.join('\n  ')}`);
  return answer;
}

/** The handler's clients, checked against the permissions of whichever entry runs (permissions-guard.ts). */
function guardHandlerClients(): void {
  const region = process.env.AWS_REGION ?? 'us-west-2';
  guardClient(documentClient(region), 'dynamodb', region);
  guardClient(s3Client(region), 's3', region);
}

function entryById(entryId: string): EntryPoint {
  const entry = ENTRY_POINTS.find((candidate) => candidate.id === entryId);
  if (!entry) throw new Error(`no entry ${entryId} in the entry-point table`);
  return entry;
}

/**
 * Runs `work` (a flow wired as an entry's handler wires it) under that entry's permissions: what a
 * test of a stream or schedule entry's flow with its own clock uses.
 */
export function asEntry<T>(entryId: string, work: () => Promise<T>): Promise<T> {
  guardHandlerClients();
  return asRoute(entryById(entryId), work);
}

/** Calls a stream or schedule entry's real handler with `event`, under its permissions; its answer. */
export async function invokeEntry(entryId: string, event: unknown, options: { timeoutMs?: number } = {}): Promise<any> {
  const entry = entryById(entryId);
  guardHandlerClients();
  const handler = (await import(/* @vite-ignore */ `../../${entry.handler}`)) as { handler: (event: unknown, context: Context) => Promise<unknown> };
  return asRoute(entry, () => handler.handler(event, lambdaContext(options.timeoutMs ?? 60_000)));
}
