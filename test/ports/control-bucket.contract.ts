/**
 * The control bucket's contract, one suite for every implementation (control-bucket.test.ts runs
 * it against the in-memory bucket and the S3 adapter on s3rver). Each test gets an empty bucket.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { ControlBucketStore } from '../../lambdas/lib/ports/control-bucket.ts';

export interface ControlBucketHarness {
  readonly store: ControlBucketStore;
  /** An empty bucket that exists. */
  readonly bucket: string;
  /** A bucket that does not exist. */
  readonly missingBucket: string;
  /** An object's body and content type (the port itself never reads objects), or undefined. */
  read(key: string): Promise<{ body: string; contentType: string } | undefined>;
}

const object = (key: string, body = `body of ${key}`, contentType = 'text/plain') => ({ key, body, contentType });

export function controlBucketContract(name: string, create: () => Promise<ControlBucketHarness>): void {
  describe(`the control bucket (${name})`, () => {
    let harness: ControlBucketHarness;
    let store: ControlBucketStore;
    let bucket: string;
    beforeEach(async () => {
      harness = await create();
      ({ store, bucket } = harness);
    });

    const putAll = (...keys: string[]) => Promise.all(keys.map((key) => store.put(bucket, object(key))));

    describe('put', () => {
      it('stores the body and content type; the listing reports its size in UTF-8 bytes', async () => {
        await store.put(bucket, object('f/ws-1/daylily_work.yaml', 'name: héllo\n', 'text/yaml'));
        expect(await harness.read('f/ws-1/daylily_work.yaml')).toEqual({ body: 'name: héllo\n', contentType: 'text/yaml' });
        expect(await store.list(bucket, 'f/ws-1/')).toEqual([{ key: 'f/ws-1/daylily_work.yaml', size: 13 }]);
      });

      it('replaces an existing object', async () => {
        await store.put(bucket, object('f/ws-1/daylily.lock', 'first holder'));
        await store.put(bucket, object('f/ws-1/daylily.lock', 'second'));
        expect((await harness.read('f/ws-1/daylily.lock'))?.body).toBe('second');
        expect(await store.list(bucket, 'f/')).toEqual([{ key: 'f/ws-1/daylily.lock', size: 6 }]);
      });

      it('fails for a bucket that does not exist', async () => {
        await expect(store.put(harness.missingBucket, object('f/x'))).rejects.toThrow();
      });
    });

    describe('list', () => {
      it('lists every key under a folder prefix, nested ones too, in key order, and nothing beside it', async () => {
        await putAll('f/ws-1/sample_data/.keep', 'f/ws-1/daylily.ready', 'f/ws-10/daylily.ready', 'f/ws-1/daylily_info.yaml', 'g/ws-1/x');
        expect((await store.list(bucket, 'f/ws-1/')).map((item) => item.key)).toEqual(['f/ws-1/daylily.ready', 'f/ws-1/daylily_info.yaml', 'f/ws-1/sample_data/.keep']);
        expect((await store.list(bucket, 'f/')).map((item) => item.key)).toEqual([
          'f/ws-1/daylily.ready',
          'f/ws-1/daylily_info.yaml',
          'f/ws-1/sample_data/.keep',
          'f/ws-10/daylily.ready',
        ]);
        expect(await store.list(bucket, 'f/ws-2/')).toEqual([]);
      });

      it('with an empty prefix, lists the whole bucket', async () => {
        await putAll('b', 'a/c', 'a/b');
        expect((await store.list(bucket, '')).map((item) => item.key)).toEqual(['a/b', 'a/c', 'b']);
      });
    });

    describe('listPage', () => {
      it('answers a page of the keys under a prefix in key order, after a given key, and whether more follow', async () => {
        await putAll('f/ws-1/daylily.ready', 'f/ws-1/daylily_work.yaml', 'f/ws-2/daylily.complete', 'f/ws-3/results/a b.txt', 'g/ws-1/x');
        const first = await store.listPage(bucket, 'f/', { maxKeys: 2 });
        expect(first.objects.map((item) => item.key)).toEqual(['f/ws-1/daylily.ready', 'f/ws-1/daylily_work.yaml']);
        expect(first.more).toBe(true);
        const second = await store.listPage(bucket, 'f/', { startAfter: first.objects.at(-1)!.key, maxKeys: 2 });
        expect(second).toEqual({ objects: [{ key: 'f/ws-2/daylily.complete', size: expect.any(Number) }, { key: 'f/ws-3/results/a b.txt', size: expect.any(Number) }], more: false });
        // A start key that is no key: the keys after it (the reconciler skips a folder's tail so).
        expect((await store.listPage(bucket, 'f/', { startAfter: 'f/ws-1/\uffff', maxKeys: 10 })).objects.map((item) => item.key)).toEqual(['f/ws-2/daylily.complete', 'f/ws-3/results/a b.txt']);
        expect(await store.listPage(bucket, 'f/ws-2/daylily.', { maxKeys: 10 })).toEqual({ objects: [{ key: 'f/ws-2/daylily.complete', size: expect.any(Number) }], more: false });
        expect(await store.listPage(bucket, 'h/', { maxKeys: 10 })).toEqual({ objects: [], more: false });
      });
    });

    describe('delete', () => {
      it('removes the given keys and keeps the others; missing keys are no error', async () => {
        await putAll('f/ws-1/a', 'f/ws-1/b', 'f/ws-1/c');
        await store.delete(bucket, ['f/ws-1/a', 'f/ws-1/c', 'f/ws-1/never-there']);
        expect((await store.list(bucket, 'f/')).map((item) => item.key)).toEqual(['f/ws-1/b']);
        await store.delete(bucket, ['f/ws-1/a']);
        await store.delete(bucket, []);
        expect(await harness.read('f/ws-1/b')).toBeDefined();
      });
    });

    describe('copy', () => {
      it('copies body and content type to the new key; the original stays', async () => {
        await store.put(bucket, object('active/ws-1/daylily_info.yaml', 'samples: 2\n', 'text/yaml'));
        const [source] = await store.list(bucket, 'active/ws-1/');
        await store.copy(bucket, source!, 'archive/ws-1/daylily_info.yaml');
        expect(await harness.read('archive/ws-1/daylily_info.yaml')).toEqual({ body: 'samples: 2\n', contentType: 'text/yaml' });
        expect(await harness.read('active/ws-1/daylily_info.yaml')).toEqual({ body: 'samples: 2\n', contentType: 'text/yaml' });
        expect(await store.list(bucket, 'archive/')).toEqual([{ key: 'archive/ws-1/daylily_info.yaml', size: 11 }]);
      });

      it('copies keys with spaces and characters URLs escape, and replaces an existing target', async () => {
        // Not `#` or `+`: s3rver does not decode them in a copy source (S3 does).
        const key = 'active/ws-1/sample data/S1 é%.txt';
        await store.put(bucket, object(key, 'reads'));
        await store.put(bucket, object('archive/ws-1/sample data/S1 é%.txt', 'stale'));
        const [source] = await store.list(bucket, 'active/');
        await store.copy(bucket, source!, 'archive/ws-1/sample data/S1 é%.txt');
        expect((await harness.read('archive/ws-1/sample data/S1 é%.txt'))?.body).toBe('reads');
      });

      it('fails when the source is gone', async () => {
        await expect(store.copy(bucket, { key: 'active/ws-1/vanished', size: 3 }, 'archive/ws-1/vanished')).rejects.toThrow();
        expect(await store.list(bucket, 'archive/')).toEqual([]);
      });
    });
  });
}
