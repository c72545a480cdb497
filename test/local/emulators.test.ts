import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localAwsEnv, startDynamoDbLocal } from '../../infra/local/emulators.ts';

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
