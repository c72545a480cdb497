/** Writing control objects on S3 (registration, sentinels); a dependency failure is a StorageUnavailableError. */
import { DeleteObjectsCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ControlObject } from '../../domain/control-folder.ts';
import type { ControlObjectWrites } from '../../ports/control-bucket.ts';
import { sdkCall } from '../aws-errors.ts';

/** DeleteObjects takes at most 1,000 keys a request. */
const DELETE_BATCH = 1000;

export function s3ObjectWrites(s3: S3Client): ControlObjectWrites {
  return {
    async put(bucket: string, object: ControlObject): Promise<void> {
      await sdkCall(() => s3.send(new PutObjectCommand({ Bucket: bucket, Key: object.key, Body: object.body, ContentType: object.contentType })));
    },

    async delete(bucket: string, keys: readonly string[]): Promise<void> {
      for (let start = 0; start < keys.length; start += DELETE_BATCH) {
        const batch = keys.slice(start, start + DELETE_BATCH);
        const result = await sdkCall(() =>
          s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((key) => ({ Key: key })), Quiet: true } })),
        );
        if (result.Errors && result.Errors.length > 0) {
          throw new Error(`could not delete ${result.Errors.length} control object(s), first: ${result.Errors[0]?.Key}`);
        }
      }
    },
  };
}
