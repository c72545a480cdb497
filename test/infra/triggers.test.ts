/**
 * Stream and schedule entries in the stack: a test entry table with one entry of each kind (the
 * entry-point table has none yet), synthesized as `cdk synth` would, cdk-nag included.
 */
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import { describe, expect, it } from 'vitest';
import { SCHEDULE_DELIVERY, STREAM_DELIVERY } from '../../infra/delivery-policy.ts';
import type { EntryPoint, HttpEntry, ScheduleEntry, StreamEntry } from '../../infra/entry-points.ts';
import { FUNCTION_SIZES } from '../../infra/function-sizes.ts';
import { describeTrigger } from '../../infra/stack.ts';
import { TABLES } from '../../lambdas/lib/stores/tables.ts';
import { nagFindings, synthesize } from './synth.ts';

const HEALTH: HttpEntry = {
  id: 'Ping',
  trigger: { kind: 'http', method: 'GET', path: '/', auth: 'none' },
  handler: 'test/fixtures/handlers/echo.ts',
  access: {},
  summary: 'An HTTP entry next to the others.',
  contract: { request: {}, responses: {} },
};
const STREAM: StreamEntry = {
  id: 'RecordChanges',
  trigger: { kind: 'stream', table: 'worksets', batchSize: 25 },
  handler: 'test/fixtures/handlers/stream-recorder.ts',
  access: { tables: { worksets: 'read' } },
  summary: 'Reads the worksets stream.',
};
const SCHEDULE: ScheduleEntry = {
  id: 'CountTicks',
  trigger: { kind: 'schedule', rate: { minutes: 5 } },
  handler: 'test/fixtures/handlers/schedule-counter.ts',
  access: {},
  summary: 'Ticks every five minutes.',
};
const ENTRIES: EntryPoint[] = [HEALTH, STREAM, SCHEDULE];

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string };
const { stack, template, nag } = synthesize({}, ENTRIES);
const resources = template.toJSON().Resources as Record<string, Resource>;
const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
const idOf = (construct: { node: { defaultChild?: unknown } }): string => stack.getLogicalId(construct.node.defaultChild as CfnRole);
const deployed = (entry: EntryPoint) => stack.entryFunctions.get(entry.id)!;
const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Every statement of the role's identity policies, resources flattened as cdk-nag reads them. */
function statementsOfRole(roleId: string): Array<{ actions: string[]; resources: string[] }> {
  return ofType('AWS::IAM::Policy')
    .filter(([, policy]) => (policy.Properties.Roles as unknown[]).some((role) => JSON.stringify(role) === JSON.stringify({ Ref: roleId })))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>)
    .map((statement) => ({ actions: list(statement.Action), resources: list(statement.Resource).map(flattenCfnReference) }));
}

describe('a stream entry', () => {
  const mappings = ofType('AWS::Lambda::EventSourceMapping');
  const worksetsTable = idOf(stack.tableOf('worksets'));
  const queueId = idOf(deployed(STREAM).deadLetterQueue!);

  it("turns on a stream of both images for the table it reads, and for no other table", () => {
    for (const definition of TABLES) {
      const table = resources[idOf(stack.tableOf(definition.logicalName))]!;
      expect(table.Properties.StreamSpecification, definition.logicalName).toEqual(
        definition.logicalName === 'worksets' ? { StreamViewType: 'NEW_AND_OLD_IMAGES' } : undefined,
      );
    }
  });

  it('gets one event source mapping on that stream, from its tip, with partial batch responses, bisection, and bounded retries and record age', () => {
    expect(mappings).toHaveLength(1);
    expect(mappings[0]![1].Properties).toEqual({
      EventSourceArn: { 'Fn::GetAtt': [worksetsTable, 'StreamArn'] },
      FunctionName: { Ref: idOf(deployed(STREAM).fn) },
      StartingPosition: 'LATEST',
      BatchSize: 25,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: STREAM_DELIVERY.retryAttempts,
      MaximumRecordAgeInSeconds: STREAM_DELIVERY.maxRecordAgeSeconds,
      DestinationConfig: { OnFailure: { Destination: arnOf(queueId) } },
    });
    // Bounded: Lambda's -1 means "until the record leaves the stream".
    expect(STREAM_DELIVERY.retryAttempts).toBeGreaterThan(0);
    expect(STREAM_DELIVERY.retryAttempts).toBeLessThanOrEqual(10);
    expect(STREAM_DELIVERY.maxRecordAgeSeconds).toBeLessThan(24 * 3600);
  });

  it("is sized as a stream consumer, and described by its trigger", () => {
    expect(resources[idOf(deployed(STREAM).fn)]!.Properties).toMatchObject({
      MemorySize: FUNCTION_SIZES.streamConsumer.memoryMiB,
      Timeout: FUNCTION_SIZES.streamConsumer.timeoutSeconds,
      Description: "the worksets table's stream",
    });
    expect(describeTrigger(STREAM)).toBe("the worksets table's stream");
  });

  it("may read that stream, send to its own dead-letter queue, and otherwise only what its access declares", () => {
    const statements = statementsOfRole(idOf(deployed(STREAM).role));
    const on = (action: string) => statements.filter((statement) => statement.actions.includes(action)).flatMap((statement) => statement.resources);
    for (const action of ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator']) {
      expect(on(action), action).toEqual([`<${worksetsTable}.StreamArn>`]);
    }
    // ListStreams has no resource-level permissions (the acknowledgement below says so).
    expect(on('dynamodb:ListStreams')).toEqual(['*']);
    expect(on('sqs:SendMessage')).toEqual([`<${queueId}.Arn>`]);
    // The entry's `access` (worksets: read) through entryStatements, as for any entry.
    expect(on('dynamodb:GetItem')).toEqual([`<${worksetsTable}.Arn>`]);
    expect(on('dynamodb:PutItem')).toEqual([]);
  });
});

describe('a schedule entry', () => {
  const schedules = ofType('AWS::Scheduler::Schedule');
  const fnId = idOf(deployed(SCHEDULE).fn);
  const queueId = idOf(deployed(SCHEDULE).deadLetterQueue!);

  it('gets an EventBridge Scheduler schedule at its rate that invokes its function with the tick event, with bounded retries and a dead-letter queue', () => {
    expect(schedules).toHaveLength(1);
    const { Target: target, ...schedule } = schedules[0]![1].Properties;
    expect(schedule).toMatchObject({ ScheduleExpression: 'rate(5 minutes)', State: 'ENABLED', FlexibleTimeWindow: { Mode: 'OFF' } });
    expect(target).toMatchObject({
      Arn: arnOf(fnId),
      RetryPolicy: { MaximumRetryAttempts: SCHEDULE_DELIVERY.deliveryRetryAttempts, MaximumEventAgeInSeconds: 300 },
      DeadLetterConfig: { Arn: arnOf(queueId) },
    });
    // What the handler receives: ScheduledTick, filled in by Scheduler's context attributes.
    expect(JSON.parse(target.Input as string)).toEqual({
      scheduleArn: '<aws.scheduler.schedule-arn>',
      scheduledTime: '<aws.scheduler.scheduled-time>',
      executionId: '<aws.scheduler.execution-id>',
      attemptNumber: '<aws.scheduler.attempt-number>',
    });
  });

  it("does not have Lambda retry a failed tick (the next tick reruns it), drops a tick older than one period, and sends both to the queue", () => {
    const configs = ofType('AWS::Lambda::EventInvokeConfig');
    expect(configs).toHaveLength(1);
    expect(configs[0]![1].Properties).toEqual({
      FunctionName: { Ref: fnId },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: SCHEDULE_DELIVERY.functionRetryAttempts,
      MaximumEventAgeInSeconds: 300,
      DestinationConfig: { OnFailure: { Destination: arnOf(queueId) } },
    });
  });

  it("is invoked through a role only this account's Scheduler may assume, allowed to invoke that one function and send to its queue", () => {
    const roleId = flattenCfnReference(schedules[0]![1].Properties.Target.RoleArn).replace(/^<|\.Arn>$/g, '');
    expect(resources[roleId]!.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      },
    ]);
    expect(statementsOfRole(roleId)).toEqual([
      { actions: ['lambda:InvokeFunction'], resources: [`<${fnId}.Arn>`, `<${fnId}.Arn>:*`] },
      { actions: ['sqs:SendMessage'], resources: [`<${queueId}.Arn>`] },
    ]);
  });

  it('is sized as a reconciler, and described by its trigger', () => {
    expect(resources[fnId]!.Properties).toMatchObject({
      MemorySize: FUNCTION_SIZES.reconciler.memoryMiB,
      Timeout: FUNCTION_SIZES.reconciler.timeoutSeconds,
      Description: 'every 5 min',
    });
  });
});

describe('dead-letter queues', () => {
  const queues = ofType('AWS::SQS::Queue');

  it('exist once per stream or schedule entry, encrypted, kept 14 days, and retained with the stack like the tables', () => {
    expect(queues.map(([id]) => id).sort()).toEqual([idOf(deployed(STREAM).deadLetterQueue!), idOf(deployed(SCHEDULE).deadLetterQueue!)].sort());
    expect(deployed(HEALTH).deadLetterQueue).toBeUndefined();
    for (const [, queue] of queues) {
      expect(queue.Properties).toEqual({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
      expect([queue.DeletionPolicy, queue.UpdateReplacePolicy]).toEqual(['Retain', 'Retain']);
    }
  });

  it('refuse requests that are not over TLS, with the policy retained alongside', () => {
    for (const [queueId] of queues) {
      const policies = ofType('AWS::SQS::QueuePolicy').filter(([, policy]) => JSON.stringify(policy.Properties.Queues) === JSON.stringify([{ Ref: queueId }]));
      expect(policies).toHaveLength(1);
      expect(policies[0]![1].DeletionPolicy).toBe('Retain');
      expect(policies[0]![1].Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  it('are deleted with an ephemeral stack', () => {
    const ephemeral = synthesize({ ephemeral: 'true' }, ENTRIES);
    const queueResources = Object.values(ephemeral.template.toJSON().Resources as Record<string, Resource>).filter((resource) => resource.Type.startsWith('AWS::SQS::'));
    expect(queueResources).toHaveLength(4);
    for (const resource of queueResources) expect(resource.DeletionPolicy, resource.Type).toBe('Delete');
    expect(nagFindings(ephemeral.nag)).toEqual([]);
  });
});

describe('cdk-nag', () => {
  it('finds nothing unacknowledged', () => {
    expect(nagFindings(nag)).toEqual([]);
  });

  it('has each trigger acknowledgement on the construct that holds the finding, with its reason', () => {
    const acknowledged = (construct: { node: { metadata: Array<{ type: string; data: unknown }> } }) =>
      construct.node.metadata
        .filter((entry) => entry.type === 'aws:cdk:acknowledged-rules')
        .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
        .map(([id, reason]) => [id.replace(/^Annotation::/, ''), reason]);
    expect(acknowledged(deployed(STREAM).role)).toEqual([['AwsSolutions-IAM5[Resource::*]', expect.stringContaining('dynamodb:ListStreams')]]);
    for (const entry of [STREAM, SCHEDULE]) {
      expect(acknowledged(deployed(entry).deadLetterQueue!)).toEqual([['AwsSolutions-SQS3', expect.stringContaining('itself a dead-letter queue')]]);
    }
    const schedulerRole = stack.node.findChild(`${SCHEDULE.id}SchedulerRole`) as unknown as Parameters<typeof acknowledged>[0];
    expect(acknowledged(schedulerRole)).toEqual([
      [`AwsSolutions-IAM5[Resource::<${idOf(deployed(SCHEDULE).fn)}.Arn>:*]`, expect.stringContaining('versions and aliases')],
    ]);
  });
});
