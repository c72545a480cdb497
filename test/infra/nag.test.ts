/** cdk-nag runs inside every synth: a finding nobody acknowledged stops it. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../infra/stack.ts';

const outdirs: string[] = [];
const appIn = async () => {
  const outdir = await mkdtemp(path.join(tmpdir(), 'daylily-nag-'));
  outdirs.push(outdir);
  return createApp({ context: { 'aws:cdk:bundling-stacks': [] }, outdir });
};
afterAll(() => Promise.all(outdirs.map((dir) => rm(dir, { recursive: true, force: true }))));

describe('cdk-nag on synth', () => {
  it('lets the stack as written synthesize', async () => {
    const { app } = await appIn();
    expect(() => app.synth()).not.toThrow();
  });

  it('stops the synth on an unacknowledged finding, naming the rule', async () => {
    const { app, stack } = await appIn();
    new Bucket(stack, 'UnloggedBucket');
    expect(() => app.synth()).toThrow(/AwsSolutions-S1[\s\S]*UnloggedBucket/);
  });
});
