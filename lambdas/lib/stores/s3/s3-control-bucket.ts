/** The control bucket on S3, assembled from its modules by job (writes; folder listings and copies). */
import type { S3Client } from '@aws-sdk/client-s3';
import type { ControlBucketStore } from '../../ports/control-bucket.ts';
import { s3FolderCopies } from './s3-folder-copies.ts';
import { s3ObjectWrites } from './s3-object-writes.ts';

export function s3ControlBucket(s3: S3Client): ControlBucketStore {
  return { ...s3ObjectWrites(s3), ...s3FolderCopies(s3) };
}
