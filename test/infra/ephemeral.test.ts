/** `-c ephemeral=true`: a test stack that leaves nothing behind when it is destroyed. */
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../infra/routes.ts';
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
    expect(logGroups).toHaveLength(ROUTES.length + 1);
    for (const logGroup of logGroups) expect(logGroup.DeletionPolicy).toBe('Delete');
  });

  it('is as clean for cdk-nag as the default stack (the auto-delete helper included)', () => {
    expect(nagFindings(nag)).toEqual([]);
  });
});
