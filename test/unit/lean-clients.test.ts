/**
 * The lean clients: the resolved middleware chain is reused from call to call, yet a middleware
 * added or removed after the first call (how the tests inject faults and the IAM guard watches)
 * takes effect on the next one; and no User-Agent middleware runs. No network: a stub at the
 * initialize step answers before any request is built.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LEAN_CLIENT_OPTIONS, leanClient } from '../../lambdas/lib/stores/lean-clients.ts';

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
