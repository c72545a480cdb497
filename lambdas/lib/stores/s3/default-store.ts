/** The ControlBucketStore a handler uses: the process's S3 client. */
import { currentSettings } from '../../config/current.ts';
import type { ControlBucketStore } from '../ports.ts';
import { s3Client } from './client.ts';
import { S3ControlBucketStore } from './control-bucket-store.ts';

let store: ControlBucketStore | undefined;

export function defaultControlBucketStore(): ControlBucketStore {
  store ??= new S3ControlBucketStore(s3Client(currentSettings().region));
  return store;
}
