/** The control bucket on S3, through the process's S3 client (created once per cold start). */
import type { CoreSettings } from '../config/settings.ts';
import type { ControlBucketStore, ControlObjectWrites } from '../ports/control-bucket.ts';
import { s3Client } from '../stores/s3/s3-client.ts';
import { s3ControlBucket as s3Adapter } from '../stores/s3/s3-control-bucket.ts';
import { s3ObjectWrites } from '../stores/s3/s3-object-writes.ts';

/** Writes only (registration): its bundle carries no listing or copy commands. */
export function s3ControlObjectWrites(settings: CoreSettings): ControlObjectWrites {
  return s3ObjectWrites(s3Client(settings.region));
}

/** The whole control bucket (moves, hard deletes, the settle pass). */
export function s3ControlBucket(settings: CoreSettings): ControlBucketStore {
  return s3Adapter(s3Client(settings.region));
}
