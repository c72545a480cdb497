/** `-c ephemeral=true`: a test stack that leaves nothing behind when it is destroyed. */
import { describe, expect, it } from 'vitest';
import { ENTRY_POINTS } from '../../infra/entry-points.ts';
import { TABLES } from '../../lambdas/lib/stores/tables.ts';
import { nagFindings, synthesize } from './synth.ts';

const { template, nag } = synthesize({ ephemeral: 'true' });
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, any>; DeletionPolicy?: string }>;
const ofType = (type: string) => Object.values(resources).filter((resource) => resource.Type === type);

describe('an ephemeral stack', () => {
  it('deletes its tables with the stack: no deletion protection, still point-in-time recovery', () => {
    expect(ofType('AWS::DynamoDB::Table')).toHaveLength(TABLES.length);
    for (const table of ofType('AWS::DynamoDB::Table')) {
      expect(table.DeletionPolicy).toBe('Delete');
      expect(table.Properties.DeletionProtectionEnabled).toBe(false);
      expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    }
  });

  it('empties and deletes both buckets with the stack', () => {
    const buckets = ofType('AWS::S3::Bucket');
    expect(buckets).toHaveLength(2);
    for (const bucket of buckets) expect(bucket.DeletionPolicy).toBe('Delete');
    expect(ofType('Custom::S3AutoDeleteObjects')).toHaveLength(2);
  });

  it('deletes the function and access log groups with the stack', () => {
    const logGroups = ofType('AWS::Logs::LogGroup');
    expect(logGroups).toHaveLength(ENTRY_POINTS.length + 1);
    for (const logGroup of logGroups) expect(logGroup.DeletionPolicy).toBe('Delete');
  });

  it('is as clean for cdk-nag as the default stack', () => {
    expect(nagFindings(nag)).toEqual([]);
  });

  it('adds CDK\'s auto-delete helper, which cdk-nag does not inspect (a raw CloudFormation resource): only here, and allowed to empty only the two buckets', () => {
    const providers = Object.entries(resources).filter(([id]) => id.startsWith('CustomS3AutoDeleteObjectsCustomResourceProvider'));
    expect(providers.map(([, resource]) => resource.Type).sort()).toEqual(['AWS::IAM::Role', 'AWS::Lambda::Function']);
    const grants = ofType('AWS::S3::BucketPolicy').flatMap((policy) =>
      (policy.Properties.PolicyDocument.Statement as Array<{ Effect: string; Principal?: { AWS?: unknown }; Resource: unknown }>)
        .filter((statement) => statement.Effect === 'Allow' && JSON.stringify(statement.Principal ?? {}).includes('CustomS3AutoDeleteObjects'))
        .map((statement) => JSON.stringify(statement.Resource)),
    );
    expect(grants).toHaveLength(2);
  });
});
