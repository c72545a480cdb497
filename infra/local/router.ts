/**
 * Route matching for the local server, with API Gateway's precedence: among the routes of the
 * request's method whose template fits the path, the most specific wins: segment by segment from
 * the left, a literal beats a `{param}`, which beats a greedy `{param+}`. Declaration order never
 * matters, so `GET /worksets/next` beats `GET /worksets/{id}` wherever either is listed.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { problemResponse } from '../../lambdas/lib/http/problem.ts';
import type { HttpMethod, HttpEntry } from '../entry-points.ts';

export type RouteMatch =
  | { readonly kind: 'found'; readonly route: HttpEntry; readonly pathParameters: Readonly<Record<string, string>> }
  | { readonly kind: 'not-found'; readonly method: string; readonly path: string }
  | { readonly kind: 'method-not-allowed'; readonly method: string; readonly path: string; readonly allowed: readonly HttpMethod[] };

export interface Router {
  /** `rawPath` as received: percent-encoded, without the query string. */
  match(method: string, rawPath: string): RouteMatch;
}

type Segment =
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'param'; readonly name: string }
  | { readonly kind: 'greedy'; readonly name: string };

/** Higher is more specific. */
const RANK: Record<Segment['kind'], number> = { literal: 2, param: 1, greedy: 0 };

interface CompiledRoute {
  readonly route: HttpEntry;
  readonly segments: readonly Segment[];
}

function splitPath(path: string): string[] {
  // '/' has no segments; a trailing slash leaves an empty last segment, which no {param} matches.
  return path === '/' ? [] : path.replace(/^\//, '').split('/');
}

function compile(route: HttpEntry): CompiledRoute {
  const parts = splitPath(route.trigger.path);
  const segments = parts.map((part, index): Segment => {
    const param = /^\{([A-Za-z0-9_.-]+)(\+?)\}$/.exec(part);
    if (!param) return { kind: 'literal', value: part };
    const [, name = '', greedy] = param;
    if (greedy && index !== parts.length - 1) {
      throw new Error(`Route ${route.id}: greedy parameter {${name}+} must be the last segment of ${route.trigger.path}.`);
    }
    return greedy ? { kind: 'greedy', name } : { kind: 'param', name };
  });
  return { route, segments };
}

function decodeSegment(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/** Path parameters when the template fits the path, else undefined. */
function fit(compiled: CompiledRoute, rawSegments: readonly string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  const { segments } = compiled;
  const last = segments[segments.length - 1];
  if (last?.kind === 'greedy' ? rawSegments.length < segments.length : rawSegments.length !== segments.length) {
    return undefined;
  }
  for (const [index, segment] of segments.entries()) {
    if (segment.kind === 'greedy') {
      const rest = rawSegments.slice(index).map(decodeSegment);
      if (rest.some((part) => part === undefined) || rest.join('/') === '') return undefined;
      params[segment.name] = rest.join('/');
      return params;
    }
    const value = decodeSegment(rawSegments[index] ?? '');
    if (value === undefined) return undefined;
    if (segment.kind === 'literal') {
      if (value !== segment.value) return undefined;
    } else {
      if (value === '') return undefined;
      params[segment.name] = value;
    }
  }
  return params;
}

/** Negative when `a` is more specific than `b`. */
function bySpecificity(a: CompiledRoute, b: CompiledRoute): number {
  const length = Math.max(a.segments.length, b.segments.length);
  for (let index = 0; index < length; index++) {
    const segmentA = a.segments[index];
    const segmentB = b.segments[index];
    // Past its end a template ranks lowest: only a greedy segment can be compared there.
    const rankA = segmentA ? RANK[segmentA.kind] : -1;
    const rankB = segmentB ? RANK[segmentB.kind] : -1;
    if (rankA !== rankB) return rankB - rankA;
  }
  return 0;
}

export function createRouter(routes: readonly HttpEntry[]): Router {
  const compiled = routes.map(compile);
  const seen = new Set<string>();
  for (const { route, segments } of compiled) {
    const shape = `${route.trigger.method} /${segments.map((s) => (s.kind === 'literal' ? s.value : `{${s.kind}}`)).join('/')}`;
    if (seen.has(shape)) throw new Error(`Route ${route.id}: another route already answers ${shape}.`);
    seen.add(shape);
  }

  return {
    match(method, rawPath) {
      const upperMethod = method.toUpperCase();
      const rawSegments = splitPath(rawPath);
      const fitting = compiled
        .map((candidate) => ({ candidate, params: fit(candidate, rawSegments) }))
        .filter((entry): entry is { candidate: CompiledRoute; params: Record<string, string> } => entry.params !== undefined);
      const forMethod = fitting
        .filter(({ candidate }) => candidate.route.trigger.method === upperMethod)
        .sort((a, b) => bySpecificity(a.candidate, b.candidate));
      const best = forMethod[0];
      if (best) return { kind: 'found', route: best.candidate.route, pathParameters: best.params };
      if (fitting.length === 0) return { kind: 'not-found', method: upperMethod, path: rawPath };
      const allowed = [...new Set(fitting.map(({ candidate }) => candidate.route.trigger.method))].sort();
      return { kind: 'method-not-allowed', method: upperMethod, path: rawPath, allowed };
    },
  };
}

/** The answer to a request no route takes: RFC 9457 problem details, as API Gateway would 404. */
export function unmatchedResponse(
  match: Exclude<RouteMatch, { kind: 'found' }>,
  requestId: string,
): APIGatewayProxyStructuredResultV2 {
  if (match.kind === 'not-found') {
    return problemResponse(
      { type: 'about:blank', title: 'Not Found', status: 404, detail: `No route matches ${match.path}.`, instance: requestId },
      { 'x-request-id': requestId },
    );
  }
  return problemResponse(
    {
      type: 'about:blank',
      title: 'Method Not Allowed',
      status: 405,
      detail: `${match.path} does not accept ${match.method}; it accepts ${match.allowed.join(', ')}.`,
      instance: requestId,
    },
    { allow: match.allowed.join(', '), 'x-request-id': requestId },
  );
}
