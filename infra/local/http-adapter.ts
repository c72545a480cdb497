/**
 * Plays API Gateway (HTTP API, payload format 2.0) and Lambda for the local server: a Node request
 * becomes the event a deployed function receives, the handler module named by the route runs in
 * this process, and its result is written back the way API Gateway would.
 *
 * JWT routes: with `auth: { mode: 'jwt' }` the bearer token is verified as API Gateway's JWT
 * authorizer would (local-issuer.ts) and its claims reach the handler in
 * `requestContext.authorizer.jwt`; with `auth: { mode: 'off' }` they pass unverified and carry no
 * authorizer (the handlers then need DAYLILY_AUTH=off, which the CLI sets).
 *
 * Not emulated: IAM authorization (routes with `auth: 'iam'` are open locally and the event has no
 * `requestContext.authorizer`), function timeouts, and stage variables.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { problemResponse } from '../../lambdas/lib/http/problem.ts';
import { jwtScopeName, type HttpEntry } from '../entry-points.ts';
import { JWKS_PATH, type LocalIssuer } from './local-issuer.ts';
import { localLogger as logger } from './log.ts';
import { createRouter, unmatchedResponse } from './router.ts';

/** Lambda's synchronous invocation payload limit; a larger request never reaches a function. */
export const MAX_REQUEST_BODY_BYTES = 6 * 1024 * 1024;

/** Where route `handler` paths are resolved from. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A handler module's `handler`; HTTP entries get API Gateway events, the others theirs (triggers.ts). */
export type LambdaHandler<Event = APIGatewayProxyEventV2> = (event: Event, context: Context) => Promise<unknown>;

/**
 * Reads the whole body, or answers undefined when it exceeds `limit`. The excess is drained rather
 * than left unread, so the client sees the 413 instead of a reset connection.
 */
export async function readRequestBody(req: IncomingMessage, limit = MAX_REQUEST_BODY_BYTES): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  return size > limit ? undefined : Buffer.concat(chunks, size);
}

// Bodies API Gateway passes as text; anything else arrives base64-encoded.
const TEXT_MEDIA_TYPE =
  /^(text\/[^;]+|application\/([\w.+-]+\+)?(json|xml|yaml|x-yaml|javascript|x-www-form-urlencoded|graphql))\s*(;|$)/i;

export function isTextMediaType(contentType: string | undefined): boolean {
  return contentType !== undefined && TEXT_MEDIA_TYPE.test(contentType.trim());
}

/** API Gateway's `requestContext.time`: `12/Mar/2020:19:03:58 +0000`. */
function requestTime(date: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

/** An id shaped like API Gateway's (`JKJaXmPLvHcESHA=`). */
export function newRequestId(): string {
  return randomBytes(10).toString('base64');
}

export interface EventInput {
  readonly req: IncomingMessage;
  readonly body: Buffer;
  readonly route: Pick<HttpEntry, 'trigger'>;
  readonly pathParameters: Readonly<Record<string, string>>;
  readonly requestId: string;
  readonly now?: Date;
  /** What API Gateway's authorizer verified (a JWT route's claims and scopes). */
  readonly authorizer?: { readonly jwt: { readonly claims: Readonly<Record<string, string>>; readonly scopes: readonly string[] } };
}

export function toApiGatewayEvent(input: EventInput): APIGatewayProxyEventV2 {
  const { req, body, route, requestId } = input;
  const now = input.now ?? new Date();
  const url = req.url ?? '/';
  const queryStart = url.indexOf('?');
  const rawPath = queryStart === -1 ? url : url.slice(0, queryStart);
  const rawQueryString = queryStart === -1 ? '' : url.slice(queryStart + 1).replace(/#.*$/, '');

  // Format 2.0: names lower-cased, repeated headers joined with commas, cookies moved out.
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    if (name === 'cookie' || values === undefined) continue;
    headers[name] = values.join(',');
  }
  const cookies = (req.headersDistinct.cookie ?? [])
    .flatMap((header) => header.split(';'))
    .map((cookie) => cookie.trim())
    .filter((cookie) => cookie !== '');

  const sourceIp = (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']},${sourceIp}` : sourceIp;
  headers['x-forwarded-port'] ??= String(req.socket.localPort ?? '');
  headers['x-forwarded-proto'] ??= 'http';

  const query: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawQueryString)) {
    query[key] = key in query ? `${query[key]},${value}` : value;
  }

  const domainName = headers.host ?? 'localhost';
  const routeKey = `${route.trigger.method} ${route.trigger.path}`;
  const hasBody = body.length > 0;
  const textBody = isTextMediaType(headers['content-type']);

  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(Object.keys(input.pathParameters).length > 0 ? { pathParameters: { ...input.pathParameters } } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName,
      domainPrefix: domainName.split('.')[0] ?? domainName,
      http: {
        method: req.method ?? 'GET',
        path: rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      ...(input.authorizer ? { authorizer: input.authorizer } : {}),
      routeKey,
      stage: '$default',
      time: requestTime(now),
      timeEpoch: now.getTime(),
    },
    ...(hasBody ? { body: textBody ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: hasBody && !textBody,
  };
}

/** Default Lambda timeout of the local server's functions (API Gateway gives up at 30 s). */
const FUNCTION_TIMEOUT_MS = 29_000;

export function lambdaContext(
  route: Pick<HttpEntry, 'id'>,
  region = process.env.AWS_REGION ?? 'us-west-2',
  timeoutMs = FUNCTION_TIMEOUT_MS,
): Context {
  const deadline = Date.now() + timeoutMs;
  const functionName = `daylily-workset-api-${route.id}`;
  const unsupported = (): never => {
    throw new Error('Callback-style completion is not supported: return a Promise from the handler.');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

/** Handler modules, imported on first use by their route path and kept for the process's life. */
export class HandlerModules {
  readonly #loaded = new Map<string, Promise<LambdaHandler<never>>>();

  constructor(private readonly root: string = REPO_ROOT) {}

  /** `Event` is the caller's word for what the module's handler takes: nothing checks it. */
  load<Event = APIGatewayProxyEventV2>(handlerPath: string): Promise<LambdaHandler<Event>> {
    let loading = this.#loaded.get(handlerPath);
    if (!loading) {
      const file = isAbsolute(handlerPath) ? handlerPath : resolve(this.root, handlerPath);
      loading = import(pathToFileURL(file).href).then((module: { handler?: unknown }) => {
        if (typeof module.handler !== 'function') {
          throw new Error(`${handlerPath} does not export a function named handler.`);
        }
        return module.handler as LambdaHandler<never>;
      });
      // A failed import is not cached: fixing the file and retrying the request is enough.
      loading.catch(() => this.#loaded.delete(handlerPath));
      this.#loaded.set(handlerPath, loading);
    }
    return loading as Promise<LambdaHandler<Event>>;
  }

  /**
   * Loads these handler modules now (in parallel), so the first request to each costs what the
   * hundredth does instead of a TypeScript compile and module graph load, and runs the `prime`
   * a module exports (what a function does at init on Lambda: see registration-deps.ts). One
   * that fails to load is left to its first request, which answers the error (and retries).
   */
  async preload(handlerPaths: readonly string[]): Promise<void> {
    await Promise.all(
      handlerPaths.map(async (handlerPath) => {
        try {
          await this.load(handlerPath);
          const file = isAbsolute(handlerPath) ? handlerPath : resolve(this.root, handlerPath);
          const module = (await import(pathToFileURL(file).href)) as { prime?: () => Promise<void> };
          await module.prime?.();
        } catch {
          // Reported by the route's first request.
        }
      }),
    );
  }
}

const isStructuredResult = (result: unknown): result is APIGatewayProxyStructuredResultV2 =>
  typeof result === 'object' && result !== null && 'statusCode' in result;

/**
 * API Gateway's reading of a format 2.0 result: an object with `statusCode` is taken as is; any
 * other value becomes a 200 application/json response whose body is that value as JSON.
 */
export function normaliseResult(result: unknown): APIGatewayProxyStructuredResultV2 {
  if (isStructuredResult(result)) return result;
  const body = typeof result === 'string' ? result : result === undefined ? '' : JSON.stringify(result);
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body };
}

export function writeResult(res: ServerResponse, result: APIGatewayProxyStructuredResultV2, requestId: string): void {
  const statusCode = result.statusCode ?? 200;
  for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name.toLowerCase(), String(value));
  if (result.cookies && result.cookies.length > 0) {
    const existing = res.getHeader('set-cookie');
    const earlier = existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
    res.setHeader('set-cookie', [...earlier, ...result.cookies]);
  }
  res.setHeader('apigw-requestid', requestId);
  const body = result.body === undefined ? Buffer.alloc(0) : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  if (body.length > 0 && !res.hasHeader('content-type')) res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.statusCode = statusCode;
  res.end(body);
}

/** How the JWT routes authorize locally: not at all (`off`), or as API Gateway would with the local issuer (`jwt`). */
export type LocalAuth = { readonly mode: 'off' } | { readonly mode: 'jwt'; readonly issuer: LocalIssuer };

export interface RequestListenerOptions {
  readonly routes: readonly HttpEntry[];
  /** Directory the routes' `handler` paths are relative to. Default: the repository root. */
  readonly root?: string;
  /** Default `off`. */
  readonly auth?: LocalAuth;
  /** Where the handler modules come from (the server passes the ones it loaded at start). Default: loaded on first use. */
  readonly modules?: HandlerModules;
}

/** The local server's whole request path: route, read, build the event, invoke, answer. */
export function createRequestListener(options: RequestListenerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const router = createRouter(options.routes);
  const modules = options.modules ?? new HandlerModules(options.root);

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    const requestId = newRequestId();
    const method = req.method ?? 'GET';
    const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
    let routeId: string | undefined;
    let result: APIGatewayProxyStructuredResultV2;

    const match = router.match(method, rawPath);
    const auth = options.auth ?? { mode: 'off' };
    if (auth.mode === 'jwt' && method === 'GET' && rawPath === JWKS_PATH) {
      // The issuer's public keys, where OIDC clients (and API Gateway) look for them.
      req.resume();
      result = { statusCode: 200, headers: { 'content-type': 'application/json', 'cache-control': 'max-age=300' }, body: JSON.stringify(auth.issuer.jwks) };
    } else if (match.kind !== 'found') {
      req.resume();
      result = unmatchedResponse(match, requestId);
    } else {
      routeId = match.route.id;
      const body = await readRequestBody(req);
      if (body === undefined) {
        result = problemResponse(
          {
            type: 'about:blank',
            title: 'Content Too Large',
            status: 413,
            detail: `The request body exceeds ${MAX_REQUEST_BODY_BYTES} bytes, the Lambda payload limit.`,
            instance: requestId,
          },
          { 'x-request-id': requestId },
        );
      } else if (auth.mode === 'jwt' && match.route.trigger.auth === 'jwt') {
        // API Gateway's JWT authorizer runs before the function: a refused token never reaches it.
        const verified = await auth.issuer.verify(req.headers.authorization, jwtScopeName(match.route.trigger));
        result = verified.ok
          ? await invoke(match.route, toApiGatewayEvent({ req, body, route: match.route, pathParameters: match.pathParameters, requestId, authorizer: { jwt: { claims: verified.claims, scopes: verified.scopes } } }), requestId)
          : problemResponse(
              { type: 'about:blank', title: verified.status === 401 ? 'Unauthorized' : 'Forbidden', status: verified.status, detail: verified.detail, instance: requestId },
              { 'x-request-id': requestId, 'www-authenticate': `Bearer error="${verified.error}"` },
            );
      } else {
        result = await invoke(match.route, toApiGatewayEvent({ req, body, route: match.route, pathParameters: match.pathParameters, requestId }), requestId);
      }
    }

    writeResult(res, result, requestId);
    logger.info('request', {
      method,
      path: rawPath,
      route: routeId,
      status: result.statusCode ?? 200,
      durationMs: Math.round(performance.now() - started),
      requestId,
    });
  };

  const invoke = async (route: HttpEntry, event: APIGatewayProxyEventV2, requestId: string): Promise<APIGatewayProxyStructuredResultV2> => {
    try {
      const handler = await modules.load(route.handler);
      return normaliseResult(await handler(event, lambdaContext(route)));
    } catch (error) {
      // What API Gateway would answer for a failed invocation, as problem details.
      logger.error('handler failed', { route: route.id, handler: route.handler, requestId, error: error as Error });
      return problemResponse(
        {
          type: 'about:blank',
          title: 'Internal Server Error',
          status: 500,
          detail: `The ${route.id} handler failed; the local server's log has the error (request id ${requestId}).`,
          instance: requestId,
        },
        { 'x-request-id': requestId },
      );
    }
  };

  return (req, res) => {
    serve(req, res).catch((error: unknown) => {
      logger.error('local server failed to answer', { error: error as Error });
      if (!res.headersSent) {
        res.statusCode = 500;
        res.end();
      } else {
        res.destroy();
      }
    });
  };
}
