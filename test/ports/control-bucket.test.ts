/**
 * One contract, two implementations: the in-memory control bucket the flow tests run on, and the
 * S3 adapter on s3rver. Each S3 test gets its own new bucket.
 */
import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, GetObjectCommand, NoSuchKey } from '@aws-sdk/client-s3';
import { MemoryControlBucket } from '../../lambdas/lib/stores/memory/memory-control-bucket.ts';
import { s3ControlBucket } from '../../lambdas/lib/stores/s3/s3-control-bucket.ts';
import { useLocalAws } from '../support/local-aws.ts';
import { controlBucketContract } from './control-bucket.contract.ts';

const aws = useLocalAws('control-bucket-contract');

controlBucketContract('in memory', async () => {
  const store = new MemoryControlBucket({ buckets: ['control-test'] });
  return {
    store,
    bucket: 'control-test',
    missingBucket: 'control-missing',
    async read(key) {
      const found = store.object('control-test', key);
      return found && { body: found.body, contentType: found.contentType };
    },
  };
});

controlBucketContract('S3', async () => {
  const bucket = `cb-${randomBytes(4).toString('hex')}`;
  await aws.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return {
    store: s3ControlBucket(aws.s3),
    bucket,
    missingBucket: `${bucket}-missing`,
    async read(key) {
      try {
        const found = await aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return { body: (await found.Body?.transformToString('utf8')) ?? '', contentType: found.ContentType ?? '' };
      } catch (error) {
        if (error instanceof NoSuchKey) return undefined;
        throw error;
      }
    },
  };
});
