/**
 * The CLI's HTTP client: JSON in, JSON out, the connection's proof on every request (a bearer
 * token, or SigV4 on the operator routes), and every answer that is not a success turned into an
 * error the exit codes know: a problem (4xx refused, 5xx failed) or an unreachable API.
 */
import { routePath, type ApiRoute } from './api-routes.ts';
import type { Connection } from './connection.ts';
import { ApiProblem, Unreachable, UsageError, type Problem } from './exit-codes.ts';
import { sigv4Signer, type RequestSigner } from './request-signing.ts';

export interface ApiRequest {
  readonly parameters?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ApiAnswer<T> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

export interface ApiClient {
  call<T>(route: ApiRoute, request?: ApiRequest): Promise<ApiAnswer<T>>;
}

/** How long one request may take before the API counts as unreachable. */
export const REQUEST_TIMEOUT_MS = 60_000;

/** Turns an answer that is not a success into its problem: the API's problem+json, or what API Gateway says in its own shape. */
async function problemOf(response: Response): Promise<Problem> {
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const fields = parsed as Record<string, unknown>;
    // API Gateway's own refusals (401 of its JWT authorizer, 403 of IAM, 429 of its throttle): {"message": "…"}.
    if (typeof fields.message === 'string' && fields.detail === undefined) return { status: response.status, title: response.statusText, detail: fields.message };
    return { ...fields, status: typeof fields.status === 'number' ? fields.status : response.status } as Problem;
  }
  return { status: response.status, title: response.statusText, ...(text.trim() ? { detail: text.trim().slice(0, 500) } : {}) };
}

export interface ClientOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Replaces global fetch (tests). */
  readonly fetch?: typeof fetch;
}

export function apiClient(connection: Connection, options: ClientOptions): ApiClient {
  const send = options.fetch ?? fetch;
  const { credentials } = connection;
  const signer: RequestSigner | undefined =
    credentials.kind === 'aws' ? sigv4Signer({ region: credentials.region, env: options.env, ...(credentials.profile ? { profile: credentials.profile } : {}) }) : undefined;

  return {
    async call<T>(route: ApiRoute, request: ApiRequest = {}): Promise<ApiAnswer<T>> {
      if (route.auth === 'iam' && credentials.kind === 'token') throw new UsageError(`${route.method} ${route.path} is an operator route: it takes SigV4 (--aws), not a token.`);
      if (route.auth === 'jwt' && credentials.kind === 'aws') {
        throw new UsageError(`${route.method} ${route.path} is a lab route: it takes a bearer token (--token or DAYLILY_TOKEN); --aws signs the operator routes only (docs/cli.md).`);
      }
      const url = new URL(connection.apiUrl.href.replace(/\/$/, '') + routePath(route, request.parameters));
      for (const [name, value] of Object.entries(request.query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value));
      const body = request.body === undefined ? undefined : JSON.stringify(request.body);
      let headers: Record<string, string> = {
        accept: 'application/json, application/problem+json',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...request.headers,
      };
      if (credentials.kind === 'token') headers.authorization = `Bearer ${credentials.token}`;
      if (signer) headers = await signer({ method: route.method, url, headers, ...(body !== undefined ? { body } : {}) });

      let response: Response;
      try {
        response = await send(url, { method: route.method, headers, ...(body !== undefined ? { body } : {}), signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      } catch (error) {
        const cause = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
        throw new Unreachable(`${connection.apiUrl.origin} could not be reached (${cause}).`);
      }
      if (!response.ok) throw new ApiProblem(await problemOf(response), response.headers.get('location') ?? undefined);
      const text = await response.text();
      let parsed: T;
      try {
        parsed = (text === '' ? undefined : JSON.parse(text)) as T;
      } catch {
        throw new Unreachable(`${route.method} ${url.pathname} answered ${response.status} with a body that is not JSON: is ${connection.apiUrl.origin} the workset API?`);
      }
      return { status: response.status, body: parsed, headers: response.headers };
    },
  };
}
