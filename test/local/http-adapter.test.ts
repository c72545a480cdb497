import { Agent, request } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer, type LocalServer } from '../../infra/local/server.ts';
import type { HttpMethod, HttpEntry } from '../../infra/entry-points.ts';
import { BYTES } from '../fixtures/handlers/binary.ts';

const fixture = (id: string, method: HttpMethod, path: string, file: string): HttpEntry => ({
  id,
  trigger: { kind: 'http', method, path, auth: 'none' },
  handler: `test/fixtures/handlers/${file}.ts`,
  access: {},
  summary: id,
  contract: { request: {}, responses: {} },
});

const FIXTURE_ROUTES: HttpEntry[] = [
  fixture('EchoItem', 'POST', '/things/{thing_id}/items/{item}', 'echo'),
  fixture('EchoGet', 'GET', '/things/{thing_id}', 'echo'),
  fixture('Binary', 'GET', '/binary', 'binary'),
  fixture('Failing', 'GET', '/failing', 'failing'),
  fixture('PlainObject', 'GET', '/plain', 'plain-object'),
  fixture('Slow', 'GET', '/slow', 'slow'),
  fixture('Missing', 'GET', '/missing', 'does-not-exist'),
];

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** node:http rather than fetch: fetch folds repeated request headers into one line. */
function send(
  url: string,
  options: { method?: string; headers?: Record<string, string | string[]>; body?: Buffer | string; agent?: Agent } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', agent: options.agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    for (const [name, value] of Object.entries(options.headers ?? {})) req.setHeader(name, value);
    req.end(options.body);
  });
}

const json = (response: RawResponse): any => JSON.parse(response.body.toString('utf8'));

describe('local server (API Gateway HTTP API v2 adapter)', () => {
  let server: LocalServer;

  beforeAll(async () => {
    server = await startLocalServer({ host: '127.0.0.1', port: 0, entries: FIXTURE_ROUTES });
  });
  afterAll(async () => {
    await server?.close(1_000);
  });

  it('gives the handler a payload format 2.0 event built from the request', async () => {
    const response = await send(`${server.url}/things/acme%20labs/items/a%2Fb?tag=x&tag=y&q=hello%20world&empty`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json; charset=utf-8',
        'X-Multi': ['one', 'two'],
        'User-Agent': 'adapter-test/1.0',
        Cookie: ['session=abc; theme=dark', 'extra=1'],
      },
      body: '{"name":"ünïcode"}',
    });
    expect(response.status).toBe(200);
    expect(response.headers['x-fixture']).toBe('echo');
    const { event, context } = json(response) as { event: APIGatewayProxyEventV2; context: Record<string, unknown> };

    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /things/{thing_id}/items/{item}',
      rawPath: '/things/acme%20labs/items/a%2Fb',
      rawQueryString: 'tag=x&tag=y&q=hello%20world&empty',
      cookies: ['session=abc', 'theme=dark', 'extra=1'],
      queryStringParameters: { tag: 'x,y', q: 'hello world', empty: '' },
      pathParameters: { thing_id: 'acme labs', item: 'a/b' },
      body: '{"name":"ünïcode"}',
      isBase64Encoded: false,
      requestContext: {
        accountId: expect.any(String),
        apiId: expect.any(String),
        domainName: server.url.replace('http://', ''),
        http: {
          method: 'POST',
          path: '/things/acme%20labs/items/a%2Fb',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'adapter-test/1.0',
        },
        requestId: response.headers['apigw-requestid'],
        routeKey: 'POST /things/{thing_id}/items/{item}',
        stage: '$default',
      },
    });
    expect(event.headers).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      'x-multi': 'one,two',
      'user-agent': 'adapter-test/1.0',
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-proto': 'http',
    });
    expect(Object.keys(event.headers).every((name) => name === name.toLowerCase())).toBe(true);
    expect(event.headers.cookie).toBeUndefined();
    expect(event.requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(Math.abs(event.requestContext.timeEpoch - Date.now())).toBeLessThan(10_000);
    expect(context).toMatchObject({ functionName: expect.stringContaining('EchoItem'), awsRequestId: expect.any(String) });
    expect(context.remainingMs).toBeGreaterThan(0);
  });

  it('omits the optional fields API Gateway omits when a request has none of them', async () => {
    const response = await send(`${server.url}/things/t1`);
    const { event } = json(response) as { event: APIGatewayProxyEventV2 };
    expect(event.rawQueryString).toBe('');
    expect(event.pathParameters).toEqual({ thing_id: 't1' });
    expect('cookies' in event).toBe(false);
    expect('queryStringParameters' in event).toBe(false);
    expect('body' in event).toBe(false);
    expect(event.isBase64Encoded).toBe(false);
  });

  it('passes a binary request body base64-encoded', async () => {
    const bytes = Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00]);
    const response = await send(`${server.url}/things/t1/items/i1`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    const { event } = json(response) as { event: APIGatewayProxyEventV2 };
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body ?? '', 'base64')).toEqual(bytes);
  });

  it('writes back status, lower-cased headers, cookies and a base64 body as bytes', async () => {
    const response = await send(`${server.url}/binary`);
    expect(response.status).toBe(201);
    expect(response.headers['content-type']).toBe('application/octet-stream');
    expect(response.headers['x-count']).toBe('3');
    expect(response.headers['set-cookie']).toEqual(['session=abc; Path=/; HttpOnly', 'theme=dark']);
    expect(response.body).toEqual(BYTES);
  });

  it('sends a result without statusCode as a JSON 200, as API Gateway infers it', async () => {
    const response = await send(`${server.url}/plain`);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(json(response)).toEqual({ ok: true });
  });

  it('answers a handler that throws with a 500 problem carrying the request id', async () => {
    const response = await send(`${server.url}/failing`);
    expect(response.status).toBe(500);
    expect(response.headers['content-type']).toBe('application/problem+json');
    const requestId = response.headers['apigw-requestid'];
    expect(json(response)).toMatchObject({ type: 'about:blank', title: 'Internal Server Error', status: 500, instance: requestId });
    expect(json(response).detail).toContain('Failing');
  });

  it('answers a route whose handler file is missing with a 500 problem, not a crash', async () => {
    expect((await send(`${server.url}/missing`)).status).toBe(500);
    expect((await send(`${server.url}/binary`)).status).toBe(201);
  });

  it('refuses a body over the 6 MB Lambda payload limit with a 413 problem', async () => {
    const response = await send(`${server.url}/things/t1/items/i1`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(6 * 1024 * 1024 + 1),
    });
    expect(response.status).toBe(413);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(json(response)).toMatchObject({ status: 413, title: 'Content Too Large' });
  });

  it('answers unknown paths 404 and wrong methods 405 as problems', async () => {
    const notFound = await send(`${server.url}/nowhere`);
    expect(notFound.status).toBe(404);
    expect(notFound.headers['content-type']).toBe('application/problem+json');
    const wrongMethod = await send(`${server.url}/binary`, { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.allow).toBe('GET');
    expect(json(wrongMethod)).toMatchObject({ status: 405, title: 'Method Not Allowed' });
  });
});

describe('local server shutdown', () => {
  it('lets a request in flight finish, then stops accepting connections', async () => {
    const server = await startLocalServer({ port: 0, entries: FIXTURE_ROUTES });
    // A keep-alive client, as browsers and SDKs are: its idle socket must not hold shutdown open.
    const agent = new Agent({ keepAlive: true });
    expect((await send(`${server.url}/binary`, { agent })).status).toBe(201);
    const inFlight = send(`${server.url}/slow?ms=300`, { agent });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closing = Date.now();
    const closed = server.close(5_000);
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(response.body.toString()).toBe('slept 300 ms');
    await closed;
    expect(Date.now() - closing).toBeLessThan(2_000);
    await expect(send(`${server.url}/binary`)).rejects.toThrow(/ECONNREFUSED/);
    agent.destroy();
  });
});
