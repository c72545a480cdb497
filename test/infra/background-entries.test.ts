/**
 * The entry-point table's stream and schedule entries in the default stack and with a
 * notification sender: the event bus, the stream consumer with its dead-letter queue and exactly
 * the grants it needs (the bus, the ledger, SES only as the sender), and the reconciler's schedule
 * and grants. cdk-nag runs on both stacks.
 */
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import { describe, expect, it } from 'vitest';
import { ENTRY_POINTS } from '../../infra/entry-points.ts';
import { DELIVERY_ENV } from '../../lambdas/lib/config/delivery-settings.ts';
import { CUSTOMER_INDEXES, WORKSET_INDEXES } from '../../lambdas/lib/stores/tables.ts';
import { nagFindings, synthesize, type Synthesized } from './synth.ts';

type Resource = { Type: string; Properties: Record<string, any> };
const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

function inspect({ stack, template }: Synthesized) {
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
  const idOf = (construct: { node: { defaultChild?: unknown } }): string => stack.getLogicalId(construct.node.defaultChild as CfnRole);
  const deployed = (id: string) => stack.entryFunctions.get(id)!;
  /** The role's statements, resources flattened as cdk-nag reads them. */
  const statements = (id: string) => {
    const roleId = idOf(deployed(id).role);
    return ofType('AWS::IAM::Policy')
      .filter(([, policy]) => (policy.Properties.Roles as unknown[]).some((role) => JSON.stringify(role) === JSON.stringify({ Ref: roleId })))
      .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown; Condition?: unknown }>)
      .map((statement) => ({ actions: list(statement.Action), resources: list(statement.Resource).map(flattenCfnReference), condition: statement.Condition }));
  };
  const on = (id: string, prefix: string) => statements(id).filter((statement) => statement.actions.some((action) => action.startsWith(prefix)));
  return { resources, ofType, idOf, deployed, statements, on };
}

describe('the default stack', () => {
  const synthesized = synthesize();
  const { resources, ofType, idOf, deployed, on } = inspect(synthesized);
  const busId = idOf(synthesized.stack.eventBus);
  const tableArn = (name: 'worksets' | 'notifications' | 'idempotency') => `<${idOf(synthesized.stack.tableOf(name))}.Arn>`;

  it('creates the event bus, says where it is, and names it to the functions', () => {
    expect(ofType('AWS::Events::EventBus')).toHaveLength(1);
    const outputs = synthesized.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.EventBusName!.Value).toEqual({ Ref: busId });
    expect(outputs.EventBusArn!.Value).toEqual({ 'Fn::GetAtt': [busId, 'Arn'] });
    expect(resources[idOf(deployed('PublishStateChanges').fn)]!.Properties.Environment.Variables[DELIVERY_ENV.eventBus]).toEqual({ Ref: busId });
  });

  it('lets only the stream consumer publish, on that bus only; without a sender, nothing may send email', () => {
    const publishers = ENTRY_POINTS.filter((entry) => on(entry.id, 'events:').length > 0).map((entry) => entry.id);
    expect(publishers).toEqual(['PublishStateChanges']);
    expect(on('PublishStateChanges', 'events:')).toEqual([{ actions: ['events:PutEvents'], resources: [`<${busId}.Arn>`], condition: undefined }]);
    expect(ENTRY_POINTS.flatMap((entry) => on(entry.id, 'ses:'))).toEqual([]);
  });

  it('gives the stream consumer a mapping on the worksets stream with its dead-letter queue, reads of the records, writes of the ledger, and no S3', () => {
    const consumer = deployed('PublishStateChanges');
    const mappings = ofType('AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(1);
    expect(mappings[0]![1].Properties).toMatchObject({
      FunctionName: { Ref: idOf(consumer.fn) },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [idOf(consumer.deadLetterQueue!), 'Arn'] } } },
    });
    const dynamodb = on('PublishStateChanges', 'dynamodb:');
    const writes = dynamodb.filter((statement) => statement.actions.includes('dynamodb:PutItem')).flatMap((statement) => statement.resources);
    expect(writes).toEqual([tableArn('notifications')]);
    expect(dynamodb.filter((statement) => statement.actions.includes('dynamodb:GetItem')).flatMap((statement) => statement.resources).sort()).toEqual([tableArn('notifications'), tableArn('worksets')].sort());
    expect(on('PublishStateChanges', 's3:')).toEqual([]);
  });

  it('runs the reconciler every five minutes, with its dead-letter queue, the indexes it reads and the control and archive prefixes', () => {
    const reconciler = deployed('ReconcileWorksets');
    const schedules = ofType('AWS::Scheduler::Schedule');
    expect(schedules).toHaveLength(1);
    expect(schedules[0]![1].Properties).toMatchObject({ ScheduleExpression: 'rate(5 minutes)', Target: { Arn: { 'Fn::GetAtt': [idOf(reconciler.fn), 'Arn'] }, DeadLetterConfig: { Arn: { 'Fn::GetAtt': [idOf(reconciler.deadLetterQueue!), 'Arn'] } } } });
    const queried = on('ReconcileWorksets', 'dynamodb:Query')
      .flatMap((statement) => statement.resources)
      .filter((resource) => resource.includes('/index/'))
      .map((resource) => resource.split('/index/')[1]);
    expect(queried.sort()).toEqual([WORKSET_INDEXES.byState, WORKSET_INDEXES.reconcile, CUSTOMER_INDEXES.directory].sort());
    const deletes = on('ReconcileWorksets', 'dynamodb:DeleteItem').flatMap((statement) => statement.resources);
    expect(deletes).toEqual([tableArn('worksets')]);
    expect(on('ReconcileWorksets', 's3:ListBucket').flatMap((statement) => statement.condition ? [statement.condition] : [])).toHaveLength(2);
    expect(on('ReconcileWorksets', 'events:')).toEqual([]);
  });

  it('passes cdk-nag', () => {
    expect(nagFindings(synthesized.nag)).toEqual([]);
  });
});

describe('a stack with a notification sender', () => {
  const synthesized = synthesize({ notificationSender: 'noreply@lab.example' });
  const { resources, idOf, deployed, on } = inspect(synthesized);

  it('lets the stream consumer, and nothing else, send email as the sender: its address or its domain identity, From that address only', () => {
    expect(on('PublishStateChanges', 'ses:')).toEqual([
      {
        actions: ['ses:SendEmail'],
        resources: [
          'arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/noreply@lab.example',
          'arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/lab.example',
        ],
        condition: { StringEquals: { 'ses:FromAddress': ['noreply@lab.example'] } },
      },
    ]);
    expect(ENTRY_POINTS.filter((entry) => entry.id !== 'PublishStateChanges').flatMap((entry) => on(entry.id, 'ses:'))).toEqual([]);
    expect(resources[idOf(deployed('PublishStateChanges').fn)]!.Properties.Environment.Variables[DELIVERY_ENV.notificationSender]).toBe('noreply@lab.example');
  });

  it('passes cdk-nag', () => {
    expect(nagFindings(synthesized.nag)).toEqual([]);
  });

  it('refuses a sender that is not a plain address', () => {
    expect(() => synthesize({ notificationSender: 'Lab <noreply@lab.example>' })).toThrow(/notificationSender/);
    expect(() => synthesize({ notificationSender: '*@lab.example' })).toThrow(/notificationSender/);
  });
});
