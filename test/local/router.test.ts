import { describe, expect, it } from 'vitest';
import { createRouter, unmatchedResponse } from '../../infra/local/router.ts';
import { HTTP_ENTRIES, type HttpMethod, type HttpEntry } from '../../infra/entry-points.ts';

const route = (id: string, method: HttpMethod, path: string): HttpEntry => ({
  id,
  trigger: { kind: 'http', method, path, auth: 'none' },
  handler: `test/fixtures/handlers/${id}.ts`,
  access: {},
  summary: id,
  contract: { request: {}, responses: {} },
});

describe('local router', () => {
  it('prefers a literal segment over a path parameter, whatever the declaration order', () => {
    const byId = route('ById', 'GET', '/worksets/{id}');
    const next = route('Next', 'GET', '/worksets/next');
    for (const routes of [[byId, next], [next, byId]]) {
      const router = createRouter(routes);
      expect(router.match('GET', '/worksets/next')).toMatchObject({ kind: 'found', route: { id: 'Next' }, pathParameters: {} });
      expect(router.match('GET', '/worksets/ws-1')).toMatchObject({ kind: 'found', route: { id: 'ById' }, pathParameters: { id: 'ws-1' } });
    }
  });

  it('decides specificity from the leftmost differing segment', () => {
    const router = createRouter([route('ParamFirst', 'GET', '/a/{x}/c'), route('LiteralFirst', 'GET', '/a/b/{y}')]);
    expect(router.match('GET', '/a/b/c')).toMatchObject({ route: { id: 'LiteralFirst' }, pathParameters: { y: 'c' } });
  });

  it('ranks a greedy parameter below every other fit', () => {
    const router = createRouter([route('Any', 'GET', '/files/{proxy+}'), route('One', 'GET', '/files/{name}')]);
    expect(router.match('GET', '/files/a')).toMatchObject({ route: { id: 'One' } });
    expect(router.match('GET', '/files/a/b%2Fc/d')).toMatchObject({ route: { id: 'Any' }, pathParameters: { proxy: 'a/b/c/d' } });
  });

  it('matches the real entry-point table, URL-decoding path parameters', () => {
    const router = createRouter(HTTP_ENTRIES);
    expect(router.match('GET', '/')).toMatchObject({ kind: 'found', route: { id: 'Health' } });
    expect(router.match('POST', '/api/customers/acme%20labs/worksets')).toMatchObject({
      kind: 'found',
      route: { id: 'CreateWorkset' },
      pathParameters: { customer_id: 'acme labs' },
    });
    expect(router.match('get', '/api/customers/c1/worksets/ws%2F1')).toMatchObject({
      kind: 'found',
      route: { id: 'GetCustomerWorkset' },
      pathParameters: { customer_id: 'c1', workset_id: 'ws/1' },
    });
  });

  it('answers a path no route has with a 404 problem', () => {
    const match = createRouter(HTTP_ENTRIES).match('GET', '/api/customers');
    expect(match.kind).toBe('not-found');
    if (match.kind === 'found') return;
    const response = unmatchedResponse(match, 'req-1');
    expect(response.statusCode).toBe(404);
    expect(response.headers?.['content-type']).toBe('application/problem+json');
    expect(JSON.parse(response.body ?? '')).toEqual({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: 'No route matches /api/customers.',
      instance: 'req-1',
    });
  });

  it('does not match an empty parameter or a trailing slash', () => {
    const router = createRouter(HTTP_ENTRIES);
    expect(router.match('GET', '/api/customers//worksets').kind).toBe('not-found');
    expect(router.match('GET', '/api/customers/c1/worksets/').kind).toBe('not-found');
  });

  it('answers a known path with the wrong method with a 405 problem listing the allowed methods', () => {
    const match = createRouter(HTTP_ENTRIES).match('DELETE', '/api/customers/c1/worksets');
    expect(match).toMatchObject({ kind: 'method-not-allowed', allowed: ['GET', 'POST'] });
    if (match.kind === 'found') return;
    const response = unmatchedResponse(match, 'req-2');
    expect(response.statusCode).toBe(405);
    expect(response.headers).toMatchObject({ 'content-type': 'application/problem+json', allow: 'GET, POST' });
    expect(JSON.parse(response.body ?? '')).toMatchObject({ type: 'about:blank', title: 'Method Not Allowed', status: 405 });
  });

  it('refuses a entry-point table with two routes for the same method and path shape', () => {
    expect(() => createRouter([route('A', 'GET', '/x/{a}'), route('B', 'GET', '/x/{b}')])).toThrow(/already answers/);
  });
});
