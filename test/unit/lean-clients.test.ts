/**
 * The lean clients: the resolved middleware chain is reused from call to call (each call still
 * sending its own input), yet a middleware
 * added or removed after the first call (how the tests inject faults and the IAM guard watches)
 * takes effect on the next one; no User-Agent middleware runs; and each auth scheme's signer is
 * built once, signing exactly as the SDK's own would. No network: a stub at the initialize step
 * (or in place of the request handler) answers.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { Readable } from 'node:stream';
import { HttpRequest } from '@smithy/core/transport';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cachingDocumentClient, dryRun, LEAN_CLIENT_OPTIONS, leanClient } from '../../lambdas/lib/stores/lean-clients.ts';

function client(): S3Client {
  return leanClient(new S3Client({ ...LEAN_CLIENT_OPTIONS, region: 'us-west-2', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }));
}

function answering(s3: S3Client, name: string, tag: string): void {
  s3.middlewareStack.add(() => async () => ({ output: { $metadata: {}, ETag: tag }, response: {} }), { step: 'initialize', name });
}

const put = (s3: S3Client) => s3.send(new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: 'x' }));

afterEach(() => vi.restoreAllMocks());

describe('lean clients', () => {
  it('resolves the middleware chain once per command class', async () => {
    const s3 = client();
    answering(s3, 'stub', 'one');
    const resolve = vi.spyOn(PutObjectCommand.prototype, 'resolveMiddleware');
    await put(s3);
    await put(s3);
    await put(s3);
    expect(resolve).toHaveBeenCalledTimes(1);
  });

  it('a middleware added or removed after the first call takes effect on the next', async () => {
    const s3 = client();
    answering(s3, 'first', 'first');
    expect((await put(s3)).ETag).toBe('first');
    s3.middlewareStack.remove('first');
    answering(s3, 'second', 'second');
    expect((await put(s3)).ETag).toBe('second');
    s3.middlewareStack.removeByTag('none');
    s3.middlewareStack.addRelativeTo(() => async () => ({ output: { $metadata: {}, ETag: 'relative' }, response: {} }), { name: 'third', relation: 'before', toMiddleware: 'second' });
    expect((await put(s3)).ETag).toBe('relative');
  });

  it('runs no User-Agent middleware', () => {
    const s3 = client();
    expect(s3.middlewareStack.identify().join('\n')).not.toMatch(/UserAgent/i);
    expect(new S3Client({ region: 'us-west-2' }).middlewareStack.identify().join('\n')).toMatch(/UserAgent/i);
  });
});

describe('kept signers', () => {
  /** Credentials that expire at once, so the SDK asks for new ones on every call: a1, a2, … */
  function rotating() {
    let issued = 0;
    return async () => ({ accessKeyId: `a${++issued}`, secretAccessKey: `secret-${issued}`, expiration: new Date(Date.now() + 1_000) });
  }

  /** An S3 client whose requests a stub handler answers, recording each request as sent. */
  function s3Signing(lean: boolean) {
    const sent: HttpRequest[] = [];
    const requestHandler = {
      handle: async (request: HttpRequest) => {
        sent.push(HttpRequest.clone(request));
        return { response: { statusCode: 200, headers: {}, body: Readable.from([]) } };
      },
    };
    const raw = new S3Client({ ...LEAN_CLIENT_OPTIONS, region: 'us-west-2', credentials: rotating(), requestHandler: requestHandler as never });
    const built = { count: 0 };
    const build = raw.config.signer as (scheme?: unknown) => Promise<unknown>;
    (raw.config as { signer: unknown }).signer = (scheme?: unknown) => (built.count++, build(scheme));
    return { s3: lean ? leanClient(raw) : raw, sent, built };
  }

  it('builds one signer for the client, not one per call as the SDK does', async () => {
    const lean = s3Signing(true);
    const stock = s3Signing(false);
    for (let i = 0; i < 3; i += 1) {
      await put(lean.s3);
      await put(stock.s3);
    }
    expect(lean.built.count).toBe(1);
    expect(stock.built.count).toBe(3);
  });

  it('signs every call correctly, each with the credentials of that call', async () => {
    const { s3, sent } = s3Signing(true);
    for (let i = 0; i < 3; i += 1) await put(s3);
    const ids = sent.map((request) => /Credential=(a\d+)\//.exec(request.headers.authorization!)?.[1]);
    expect(new Set(ids).size).toBe(3);
    for (const [i, request] of sent.entries()) {
      // A fresh signer, with the secret of the key id the request names, at the request's own time.
      const secret = `secret-${ids[i]!.slice(1)}`;
      const fresh = new SignatureV4({ credentials: { accessKeyId: ids[i]!, secretAccessKey: secret }, region: 'us-west-2', service: 's3', sha256: s3.config.sha256, uriEscapePath: false });
      const { authorization, ...headers } = request.headers;
      const at = request.headers['x-amz-date']!.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z');
      const expected = await fresh.sign(new HttpRequest({ ...request, headers }), { signingDate: new Date(at) });
      expect(authorization).toBe(expected.headers.authorization);
    }
  });

  it('asks again after a signer could not be built', async () => {
    const raw = new S3Client({ ...LEAN_CLIENT_OPTIONS, region: 'us-west-2', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    const build = raw.config.signer as (scheme?: unknown) => Promise<unknown>;
    let attempts = 0;
    (raw.config as { signer: unknown }).signer = (scheme?: unknown) => (++attempts === 1 ? Promise.reject(new Error('not yet')) : build(scheme));
    const s3 = leanClient(raw);
    answering(s3, 'stub', 'x');
    const signer = (s3.config as unknown as { signer: () => Promise<unknown> }).signer;
    await expect(signer()).rejects.toThrow('not yet');
    const [first, second] = [await signer(), await signer()];
    expect(first).toBe(second);
    expect(attempts).toBe(2);
  });
});

describe('the caching document client', () => {
  /** A document client whose requests a build-step stub answers, recording each marshalled input. */
  function documents() {
    const sent: unknown[] = [];
    const db = cachingDocumentClient(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-west-2', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } })));
    db.middlewareStack.add(
      () => async (args: { input: unknown }) => {
        sent.push(args.input);
        return { output: { $metadata: {} }, response: {} };
      },
      { step: 'build', name: 'stub' },
    );
    return { db, sent };
  }

  // (Unmarshalling runs inside the stub's step; the emulator suites read every item through it.)
  it('sends each command its own input, marshalled', async () => {
    const { db, sent } = documents();
    const resolve = vi.spyOn(PutCommand.prototype, 'resolveMiddleware');
    await db.send(new PutCommand({ TableName: 't', Item: { id: 'a' } }));
    await db.send(new PutCommand({ TableName: 't', Item: { id: 'b', gone: undefined } }));
    await db.send(new GetCommand({ TableName: 't', Key: { id: 'stored' } }));
    expect(sent).toEqual([
      { TableName: 't', Item: { id: { S: 'a' } } },
      { TableName: 't', Item: { id: { S: 'b' } } },
      { TableName: 't', Key: { id: { S: 'stored' } } },
    ]);
    // The SDK's own resolution (which would rebuild the chain per call) is not used.
    expect(resolve).not.toHaveBeenCalled();
  });

  it('resolves the base command chain once per command class', async () => {
    const { db } = documents();
    const resolve = vi.spyOn(PutItemCommand.prototype, 'resolveMiddleware');
    for (const id of ['a', 'b', 'c']) await db.send(new PutCommand({ TableName: 't', Item: { id } }));
    expect(resolve).toHaveBeenCalledTimes(1);
  });

  it('a middleware added after the first call takes effect on the next', async () => {
    const { db } = documents();
    await db.send(new PutCommand({ TableName: 't', Item: { id: 'a' } }));
    db.middlewareStack.add(
      () => async () => {
        throw Object.assign(new Error('injected'), { name: 'InjectedFault' });
      },
      { step: 'initialize', name: 'fault' },
    );
    await expect(db.send(new PutCommand({ TableName: 't', Item: { id: 'b' } }))).rejects.toThrow('injected');
    db.middlewareStack.remove('fault');
    await expect(db.send(new PutCommand({ TableName: 't', Item: { id: 'c' } }))).resolves.toBeDefined();
  });
});

describe('a dry run', () => {
  it('takes a command through serialization and signing, sends nothing, and leaves the stack as it was', async () => {
    const handled: unknown[] = [];
    const s3 = leanClient(
      new S3Client({
        ...LEAN_CLIENT_OPTIONS,
        region: 'us-west-2',
        credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
        requestHandler: { handle: async (request: unknown) => (handled.push(request), { response: { statusCode: 200, headers: {} } }) } as never,
      }),
    );
    const signed: string[] = [];
    s3.middlewareStack.add(
      (next) => async (args) => {
        signed.push(String((args.request as { headers: Record<string, string> }).headers.authorization));
        return next(args);
      },
      { step: 'deserialize', name: 'signature-watch' },
    );
    const before = s3.middlewareStack.identify();
    await dryRun(s3, new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: 'x' }));
    expect(handled).toEqual([]);
    expect(signed).toEqual([expect.stringMatching(/^AWS4-HMAC-SHA256 Credential=a\//)]);
    expect(s3.middlewareStack.identify()).toEqual(before);
  });

  it('passes on a failure of its own (a missing credential, say)', async () => {
    const s3 = leanClient(new S3Client({ ...LEAN_CLIENT_OPTIONS, region: 'us-west-2', credentials: async () => Promise.reject(new Error('no credentials')) }));
    await expect(dryRun(s3, new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: 'x' }))).rejects.toThrow('no credentials');
  });
});
