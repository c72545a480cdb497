/** The control bucket on S3, through the process's S3 client (created once per cold start). */
import type { Settings } from '../config/settings.ts';
import type { ControlBucketStore } from '../ports/control-bucket.ts';
import { s3Client } from '../stores/s3/s3-client.ts';
import { S3ControlBucketStore } from '../stores/s3/s3-control-bucket.ts';

let store: ControlBucketStore | undefined;

export function s3ControlBucket(settings: Settings): ControlBucketStore {
  store ??= new S3ControlBucketStore(s3Client(settings.region));
  return store;
}
