/** The ControlBucketStore on S3; a dependency failure leaves it as StorageUnavailableError. */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { ControlObject } from '../../domain/control-folder.ts';
import type { ControlBucketStore, StoredObject } from '../../ports/control-bucket.ts';
import { sdkCall } from '../aws-errors.ts';

/** DeleteObjects takes at most 1,000 keys a request. */
const DELETE_BATCH = 1000;
/** CopyObject copies at most 5 GB; larger objects are copied in parts. */
const SINGLE_COPY_LIMIT = 5 * 1024 ** 3;
const COPY_PART_SIZE = 512 * 1024 ** 2;

/** CopySource is `bucket/key` with the key URL-encoded (slashes kept). */
const copySource = (bucket: string, key: string): string => `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;

export class S3ControlBucketStore implements ControlBucketStore {
  constructor(private readonly s3: S3Client) {}

  async put(bucket: string, object: ControlObject): Promise<void> {
    await sdkCall(() => this.s3.send(new PutObjectCommand({ Bucket: bucket, Key: object.key, Body: object.body, ContentType: object.contentType })));
  }

  async delete(bucket: string, keys: readonly string[]): Promise<void> {
    for (let start = 0; start < keys.length; start += DELETE_BATCH) {
      const batch = keys.slice(start, start + DELETE_BATCH);
      const result = await sdkCall(() =>
        this.s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((key) => ({ Key: key })), Quiet: true } })),
      );
      if (result.Errors && result.Errors.length > 0) {
        throw new Error(`could not delete ${result.Errors.length} control object(s), first: ${result.Errors[0]?.Key}`);
      }
    }
  }

  async list(bucket: string, prefix: string): Promise<StoredObject[]> {
    const objects: StoredObject[] = [];
    let token: string | undefined;
    do {
      const page = await sdkCall(() => this.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token })));
      for (const object of page.Contents ?? []) {
        if (object.Key !== undefined) objects.push({ key: object.Key, size: object.Size ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return objects;
  }

  async copy(bucket: string, from: StoredObject, toKey: string): Promise<void> {
    const source = copySource(bucket, from.key);
    if (from.size <= SINGLE_COPY_LIMIT) {
      await sdkCall(() => this.s3.send(new CopyObjectCommand({ Bucket: bucket, Key: toKey, CopySource: source })));
      return;
    }
    const { UploadId } = await sdkCall(() => this.s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: toKey })));
    try {
      const parts: Array<{ ETag: string | undefined; PartNumber: number }> = [];
      for (let start = 0, part = 1; start < from.size; start += COPY_PART_SIZE, part += 1) {
        const end = Math.min(start + COPY_PART_SIZE, from.size) - 1;
        const result = await sdkCall(() =>
          this.s3.send(new UploadPartCopyCommand({ Bucket: bucket, Key: toKey, UploadId, PartNumber: part, CopySource: source, CopySourceRange: `bytes=${start}-${end}` })),
        );
        parts.push({ ETag: result.CopyPartResult?.ETag, PartNumber: part });
      }
      await sdkCall(() => this.s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: toKey, UploadId, MultipartUpload: { Parts: parts } })));
    } catch (error) {
      await sdkCall(() => this.s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: toKey, UploadId }))).catch(() => undefined);
      throw error;
    }
  }
}
