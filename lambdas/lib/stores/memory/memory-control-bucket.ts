/**
 * The control bucket in memory: objects per bucket, with S3's semantics as the S3 adapter uses
 * them (stores/s3/): a put replaces, a delete of a missing key is fine, a listing is every key
 * under a prefix in S3's order (UTF-8 bytes), a copy needs its source. A bucket must exist, as in
 * S3, so a flow wired with the wrong bucket fails here too.
 */
import type { ControlObject } from '../../domain/control-folder.ts';
import type { ControlBucketStore, StoredObject } from '../../ports/control-bucket.ts';
import { checkFault, type FaultHook } from './faults.ts';
import { compareUtf8 } from './pages.ts';

export interface MemoryObject {
  readonly body: string;
  readonly contentType: string;
  /** Bytes of the body (UTF-8), as S3 reports an object's size. */
  readonly size: number;
}

export interface MemoryControlBucketOptions {
  /** Buckets that exist (`createBucket` adds more). */
  readonly buckets?: readonly string[];
  readonly fail?: FaultHook;
}

export class MemoryControlBucket implements ControlBucketStore {
  /** Checked before every operation with its name (`put`, `delete`, `list`, `listPage`, `copy`) and `{ bucket, … }` of its arguments. */
  fail: FaultHook | undefined;
  private readonly buckets = new Map<string, Map<string, MemoryObject>>();

  constructor(options: MemoryControlBucketOptions = {}) {
    this.fail = options.fail;
    for (const bucket of options.buckets ?? []) this.createBucket(bucket);
  }

  createBucket(bucket: string): void {
    if (!this.buckets.has(bucket)) this.buckets.set(bucket, new Map());
  }

  /** An object as stored (a test's read; the port has none), or undefined. */
  object(bucket: string, key: string): MemoryObject | undefined {
    const object = this.objects(bucket).get(key);
    return object && { ...object };
  }

  /** Every key under `prefix`, in S3's order. */
  keys(bucket: string, prefix = ''): string[] {
    return [...this.objects(bucket).keys()].filter((key) => key.startsWith(prefix)).sort(compareUtf8);
  }

  private objects(bucket: string): Map<string, MemoryObject> {
    const objects = this.buckets.get(bucket);
    if (!objects) throw new Error(`NoSuchBucket: the bucket ${bucket} does not exist`);
    return objects;
  }

  /** A fixture: puts an object without the fault hook. */
  seedObject(bucket: string, object: ControlObject): void {
    this.objects(bucket).set(object.key, { body: object.body, contentType: object.contentType, size: Buffer.byteLength(object.body, 'utf8') });
  }

  async put(bucket: string, object: ControlObject): Promise<void> {
    checkFault(this.fail, 'put', { bucket, object });
    this.seedObject(bucket, object);
  }

  async delete(bucket: string, keys: readonly string[]): Promise<void> {
    checkFault(this.fail, 'delete', { bucket, keys });
    const objects = this.objects(bucket);
    for (const key of keys) objects.delete(key);
  }

  async list(bucket: string, prefix: string): Promise<StoredObject[]> {
    checkFault(this.fail, 'list', { bucket, prefix });
    const objects = this.objects(bucket);
    return this.keys(bucket, prefix).map((key) => ({ key, size: objects.get(key)!.size }));
  }

  async listPage(bucket: string, prefix: string, options: { readonly startAfter?: string; readonly maxKeys: number }): Promise<{ objects: StoredObject[]; more: boolean }> {
    checkFault(this.fail, 'listPage', { bucket, prefix, ...options });
    const objects = this.objects(bucket);
    const after = this.keys(bucket, prefix).filter((key) => options.startAfter === undefined || compareUtf8(key, options.startAfter) > 0);
    const page = after.slice(0, Math.min(options.maxKeys, 1000));
    return { objects: page.map((key) => ({ key, size: objects.get(key)!.size })), more: after.length > page.length };
  }

  async copy(bucket: string, from: StoredObject, toKey: string): Promise<void> {
    checkFault(this.fail, 'copy', { bucket, from, toKey });
    const objects = this.objects(bucket);
    const source = objects.get(from.key);
    // S3 answers NoSuchKey: e.g. a concurrent move or hard delete removed the original.
    if (!source) throw new Error(`NoSuchKey: ${from.key} does not exist in ${bucket}`);
    objects.set(toKey, { ...source });
  }
}
