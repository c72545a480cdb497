/**
 * The routes the lab CLI calls, read from the entry-point table (infra/entry-points.ts) by entry
 * id: the CLI keeps no list of paths of its own. Importing the table loads the request and
 * answer schemas (valibot), not the handlers, the stores or the AWS SDK.
 *
 * The lab routes take a bearer token (`jwt`); the operator routes SigV4 (`iam`).
 */
import { HTTP_ENTRIES, type HttpAuth, type HttpMethod } from '../infra/entry-points.ts';

export type RouteAuth = HttpAuth;

export interface ApiRoute {
  readonly method: HttpMethod;
  /** A path template: `{name}` for a path parameter. */
  readonly path: string;
  readonly auth: RouteAuth;
}

function entryRoute(entryId: string): ApiRoute {
  const entry = HTTP_ENTRIES.find((candidate) => candidate.id === entryId);
  if (!entry) throw new Error(`cli/api-routes: the entry-point table has no HTTP entry ${entryId}.`);
  const { method, path, auth } = entry.trigger;
  return { method, path, auth };
}

/**
 * The upload route of the upload contract (issue 11): `POST /api/customers/{customer_id}/uploads`,
 * a lab route. Found in the table by method and path, since its entry id is the server side's to
 * choose; until the table has it, the contract's path (an API without uploads answers 404, and
 * `submit` says so).
 */
export const UPLOAD_PATH = '/api/customers/{customer_id}/uploads';

function uploadRoute(): ApiRoute {
  const entry = HTTP_ENTRIES.find((candidate) => candidate.trigger.method === 'POST' && candidate.trigger.path === UPLOAD_PATH);
  return entry ? { method: 'POST', path: UPLOAD_PATH, auth: entry.trigger.auth } : { method: 'POST', path: UPLOAD_PATH, auth: 'jwt' };
}

export const ROUTES = {
  pipelines: entryRoute('ListPipelines'),
  pipeline: entryRoute('GetPipeline'),
  estimate: entryRoute('EstimateCost'),
  preview: entryRoute('PreviewWorkset'),
  upload: uploadRoute(),
  register: entryRoute('CreateWorkset'),
  list: entryRoute('ListCustomerWorksets'),
  workset: entryRoute('GetCustomerWorkset'),
  cancel: entryRoute('CancelWorkset'),
  logs: entryRoute('WorksetLogs'),
  // An operator's view of the same worksets, with SigV4 (docs/deploy.md: who may call what).
  operatorList: entryRoute('ListWorksets'),
  operatorWorkset: entryRoute('GetWorkset'),
  override: entryRoute('OverrideWorksetState'),
} as const satisfies Record<string, ApiRoute>;

/** The route's path with its parameters filled in (each one encoded: an id never adds a segment). */
export function routePath(apiRoute: ApiRoute, parameters: Readonly<Record<string, string>> = {}): string {
  return apiRoute.path.replace(/\{(\w+)\}/g, (_match, name: string) => {
    const value = parameters[name];
    if (value === undefined) throw new Error(`routePath: ${apiRoute.path} needs ${name}`);
    return encodeURIComponent(value);
  });
}
