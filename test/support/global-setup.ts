/**
 * One DynamoDB Local (in memory) and one s3rver (in a temporary directory) for the whole test run.
 * Test files share them and stay apart by name: `useLocalAws` gives each file its own tables and
 * bucket, so files can run in parallel.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal, startS3Server, type LocalEndpoints } from '../../infra/local/emulators.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Endpoints of the run's shared emulators; read them through `useLocalAws`. */
    localAws: LocalEndpoints;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // This runs in the main vitest process, which `test.env` does not reach.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const s3Directory = await mkdtemp(join(tmpdir(), 'daylily-test-s3-'));
  const [dynamodb, s3] = await Promise.allSettled([
    startDynamoDbLocal({}),
    startS3Server({ directory: s3Directory, buckets: [] }),
  ]);
  const teardown = async (): Promise<void> => {
    await Promise.all([dynamodb, s3].map((started) => (started.status === 'fulfilled' ? started.value.stop() : undefined)));
    await rm(s3Directory, { recursive: true, force: true });
  };
  if (dynamodb.status === 'rejected' || s3.status === 'rejected') {
    await teardown();
    throw dynamodb.status === 'rejected' ? dynamodb.reason : (s3 as PromiseRejectedResult).reason;
  }
  project.provide('localAws', { dynamodb: dynamodb.value.endpoint, s3: s3.value.endpoint });
  return teardown;
}
