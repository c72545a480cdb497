/** `-c controlBucketName=... -c controlPrefix=...`: the functions use an operator's existing bucket. */
import { describe, expect, it } from 'vitest';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import { ENTRY_POINTS } from '../../infra/entry-points.ts';
import { ENV } from '../../lambdas/lib/config/settings.ts';
import { nagFindings, synthesize } from './synth.ts';

const BUCKET = 'daylily-ops-control';
const { template, nag } = synthesize({ controlBucketName: BUCKET, controlPrefix: '/ops/active', archivePrefix: 'ops/archived' });
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, any> }>;
const ofType = (type: string) => Object.values(resources).filter((resource) => resource.Type === type);

describe('a stack on an existing control bucket', () => {
  it('creates no bucket and changes no bucket policy: the operator\'s bucket stays theirs', () => {
    expect(ofType('AWS::S3::Bucket')).toEqual([]);
    expect(ofType('AWS::S3::BucketPolicy')).toEqual([]);
  });

  it('hands every function the bucket name and the normalised prefixes', () => {
    const functions = ofType('AWS::Lambda::Function');
    expect(functions).toHaveLength(ENTRY_POINTS.length);
    for (const fn of functions) {
      expect(fn.Properties.Environment.Variables).toMatchObject({
        [ENV.controlBucket]: BUCKET,
        [ENV.controlPrefix]: 'ops/active/',
        [ENV.archivePrefix]: 'ops/archived/',
      });
    }
  });

  it('confines object writes to the prefixes inside that bucket (the staged sheets\' too)', () => {
    const objectResources = ofType('AWS::IAM::Policy')
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>)
      .filter((statement) => [statement.Action].flat().includes('s3:PutObject'))
      .map((statement) => flattenCfnReference(statement.Resource));
    const prefixes = [`arn:<AWS::Partition>:s3:::${BUCKET}/daylily_uploads/*`, `arn:<AWS::Partition>:s3:::${BUCKET}/ops/active/*`, `arn:<AWS::Partition>:s3:::${BUCKET}/ops/archived/*`];
    expect(objectResources.length).toBeGreaterThan(0);
    expect([...new Set(objectResources)].sort()).toEqual(prefixes);
  });

  it('reports the bucket and prefix for the monitor config', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.ControlBucketName!.Value).toBe(BUCKET);
    expect(outputs.ControlPrefix!.Value).toBe('ops/active/');
  });

  it('is clean for cdk-nag', () => {
    expect(nagFindings(nag)).toEqual([]);
  });
});
