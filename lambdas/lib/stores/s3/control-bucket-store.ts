/** The ControlBucketStore on S3. */
import { DeleteObjectsCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ControlObject } from '../../domain/control-folder.ts';
import type { ControlBucketStore } from '../ports.ts';

/** DeleteObjects takes at most 1,000 keys a request. */
const DELETE_BATCH = 1000;

export class S3ControlBucketStore implements ControlBucketStore {
  constructor(private readonly s3: S3Client) {}

  async put(bucket: string, object: ControlObject): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: object.key, Body: object.body, ContentType: object.contentType }),
    );
  }

  async delete(bucket: string, keys: readonly string[]): Promise<void> {
    for (let start = 0; start < keys.length; start += DELETE_BATCH) {
      const batch = keys.slice(start, start + DELETE_BATCH);
      const result = await this.s3.send(
        new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((key) => ({ Key: key })), Quiet: true } }),
      );
      if (result.Errors && result.Errors.length > 0) {
        throw new Error(`could not delete ${result.Errors.length} control object(s), first: ${result.Errors[0]?.Key}`);
      }
    }
  }
}
