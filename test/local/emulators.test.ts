import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION, localAwsEnv, startDynamoDbLocal, startS3Server } from '../../infra/local/emulators.ts';

describe('DynamoDB Local launcher', () => {
  it.skipIf(process.platform === 'win32')('says Java 17+ is needed when there is no java on PATH', async () => {
    const bin = await mkdtemp(join(tmpdir(), 'daylily-no-java-'));
    await symlink('/bin/sh', join(bin, 'sh'));
    const path = process.env.PATH;
    process.env.PATH = bin;
    try {
      await expect(startDynamoDbLocal({ startTimeoutMs: 5_000 })).rejects.toThrow(/java.*not found.*Java 17 or newer/s);
    } finally {
      process.env.PATH = path;
      await rm(bin, { recursive: true, force: true });
    }
  });
});

describe('localAwsEnv', () => {
  it('gives a process both endpoints, the emulator credentials and s3rver-safe checksum settings', () => {
    expect(localAwsEnv({ dynamodb: 'http://127.0.0.1:1', s3: 'http://127.0.0.1:2' })).toEqual({
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:1',
      AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:2',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
  });
});

/** A fresh S3 server of its own (the suite's shared one must not be put at risk) and a client. */
async function withS3Server(bucket: string, work: (s3: S3Client) => Promise<void>): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), 'daylily-s3-'));
  const server = await startS3Server({ directory, buckets: [bucket] });
  const s3 = new S3Client({
    endpoint: server.endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  try {
    await work(s3);
  } finally {
    s3.destroy();
    await server.stop();
    await rm(directory, { recursive: true, force: true });
  }
}

describe('S3 server', () => {
  it('survives a put racing the delete of the last other object in the same folder', () =>
    withS3Server('race', async (s3) => {
      // What a sentinel sync does: remove daylily.ready while writing daylily.lock. Unpatched,
      // s3rver removed the emptied directory under the put and crashed this process within a few rounds.
      for (let round = 0; round < 40; round += 1) {
        const folder = `ws-${round}/`;
        await s3.send(new PutObjectCommand({ Bucket: 'race', Key: `${folder}daylily.ready`, Body: '' }));
        await Promise.all([
          s3.send(new DeleteObjectCommand({ Bucket: 'race', Key: `${folder}daylily.ready` })),
          s3.send(new PutObjectCommand({ Bucket: 'race', Key: `${folder}daylily.lock`, Body: 'w1' })),
        ]);
      }
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'race', Delimiter: '/' }));
      expect(listed.CommonPrefixes?.map((prefix) => prefix.Prefix)).toHaveLength(40);
      const one = await s3.send(new ListObjectsV2Command({ Bucket: 'race', Prefix: 'ws-7/' }));
      expect(one.Contents?.map((object) => object.Key)).toEqual(['ws-7/daylily.lock']);
    }));

  it('lists an emptied folder as gone (its directory stays on disk)', () =>
    withS3Server('empty', async (s3) => {
      await s3.send(new PutObjectCommand({ Bucket: 'empty', Key: 'ws-1/daylily.ready', Body: '' }));
      await s3.send(new DeleteObjectCommand({ Bucket: 'empty', Key: 'ws-1/daylily.ready' }));
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'empty', Delimiter: '/' }));
      expect(listed.CommonPrefixes ?? []).toEqual([]);
      expect(listed.KeyCount).toBe(0);
    }));
});
