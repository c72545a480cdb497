/**
 * The lean clients: the resolved middleware chain is reused from call to call (each call still
 * sending its own input), yet a middleware
 * added or removed after the first call (how the tests inject faults and the IAM guard watches)
 * takes effect on the next one; and no User-Agent middleware runs. No network: a stub at the
 * initialize step answers before any request is built.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
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
