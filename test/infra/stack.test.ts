/**
 * The default stack (no context): what an operator gets from a plain `cdk deploy`. Every
 * expectation is derived from the entry-point table and the table definitions, never listed by hand.
 */
import path from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { lambdaBuildOptions, LAMBDA_NODE_OPTIONS, REPO_ROOT } from '../../infra/bundling.ts';
import { REPO_ROOT as LOCAL_SERVER_ROOT } from '../../infra/local/http-adapter.ts';
import { ENTRY_POINTS, HTTP_ENTRIES, jwtScopeName, streamTables, type HttpEntry } from '../../infra/entry-points.ts';
import { functionSize } from '../../infra/function-sizes.ts';
import { nodejsBundling, TABLE_ENV } from '../../infra/stack.ts';
import { DELIVERY_ENV } from '../../lambdas/lib/config/delivery-settings.ts';
import { DEFAULT_ARCHIVE_PREFIX, DEFAULT_CONTROL_PREFIX, ENV } from '../../lambdas/lib/config/settings.ts';
import { UPLOAD_PREFIX } from '../../lambdas/lib/domain/sheet-upload.ts';
import { ITEM_KEYS, TABLES, type KeyAttribute } from '../../lambdas/lib/stores/tables.ts';
import { nagFindings, synthesize } from './synth.ts';

const { stack, template, nag } = synthesize();
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string }>;
const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
const logicalId = (construct: { node: { defaultChild?: unknown } }): string =>
  stack.getLogicalId(construct.node.defaultChild as CfnFunction);
const tableId = (name: string): string => logicalId(stack.tableOf(name as never));
const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

interface PolicyStatement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** The identity policy statements of a route's function, resources flattened like cdk-nag does. */
function statementsOf(route: HttpEntry): Array<{ sid?: string; actions: string[]; resources: string[]; condition?: PolicyStatement['Condition'] }> {
  const roleId = stack.getLogicalId(stack.entryFunctions.get(route.id)!.role.node.defaultChild as CfnRole);
  return ofType('AWS::IAM::Policy')
    .filter(([, policy]) => (policy.Properties.Roles as unknown[]).some((role) => JSON.stringify(role) === JSON.stringify({ Ref: roleId })))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as PolicyStatement[])
    .map((statement) => ({
      ...(statement.Sid ? { sid: statement.Sid } : {}),
      actions: list(statement.Action),
      resources: list(statement.Resource).map(flattenCfnReference),
      ...(statement.Condition ? { condition: statement.Condition } : {}),
    }));
}

const TABLE_WRITES = ['dynamodb:PutItem', 'dynamodb:UpdateItem'];
const keySchema = (partitionKey: KeyAttribute, sortKey?: KeyAttribute) => [
  { AttributeName: partitionKey.name, KeyType: 'HASH' },
  ...(sortKey ? [{ AttributeName: sortKey.name, KeyType: 'RANGE' }] : []),
];

describe('tables', () => {
  it('creates every table of the definition, on demand, with point-in-time recovery and deletion protection, retained when the stack goes', () => {
    expect(ofType('AWS::DynamoDB::Table')).toHaveLength(TABLES.length);
    for (const definition of TABLES) {
      const table = resources[tableId(definition.logicalName)]!;
      expect(table.Properties).toMatchObject({
        KeySchema: keySchema(definition.partitionKey),
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      });
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.UpdateReplacePolicy).toBe('Retain');
    }
  });

  it('has a stream only where a stream entry reads it, and a mapping, schedule and dead-letter queue only per such entry', () => {
    const streamed = streamTables(ENTRY_POINTS);
    for (const definition of TABLES) {
      expect(resources[tableId(definition.logicalName)]!.Properties.StreamSpecification, definition.logicalName).toEqual(
        streamed.includes(definition.logicalName) ? { StreamViewType: 'NEW_AND_OLD_IMAGES' } : undefined,
      );
    }
    const count = (kind: string) => ENTRY_POINTS.filter((entry) => entry.trigger.kind === kind).length;
    expect(ofType('AWS::Lambda::EventSourceMapping')).toHaveLength(count('stream'));
    expect(ofType('AWS::Scheduler::Schedule')).toHaveLength(count('schedule'));
    expect(ofType('AWS::SQS::Queue')).toHaveLength(count('stream') + count('schedule'));
  });

  it('has exactly the indexes of the definition, and TTL only where the definition names an attribute', () => {
    for (const definition of TABLES) {
      const { Properties } = resources[tableId(definition.logicalName)]!;
      expect(Properties.GlobalSecondaryIndexes ?? []).toEqual(
        definition.indexes.map((index) => ({
          IndexName: index.name,
          KeySchema: keySchema(index.partitionKey, index.sortKey),
          Projection: { ProjectionType: 'ALL' },
        })),
      );
      expect(Properties.TimeToLiveSpecification).toEqual(
        definition.ttlAttribute ? { AttributeName: definition.ttlAttribute, Enabled: true } : undefined,
      );
    }
  });
});

describe('control bucket', () => {
  const controlId = logicalId(stack.controlBucket as never);
  const logId = logicalId(stack.accessLogBucket!);

  it('is private, encrypted, versioned, retained, and logs its access to the log bucket', () => {
    expect(resources[controlId]!.Properties).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: { Ref: logId } },
    });
    expect(resources[controlId]!.DeletionPolicy).toBe('Retain');
  });

  it('expires staged sample sheets (and their old versions) a day after upload, and nothing else on that schedule', () => {
    const rules = resources[controlId]!.Properties.LifecycleConfiguration.Rules as Array<Record<string, unknown>>;
    const staged = rules.filter((rule) => rule.Prefix !== undefined || rule.ExpirationInDays !== undefined);
    expect(staged).toEqual([
      { Id: 'ExpireStagedSheets', Prefix: UPLOAD_PREFIX, Status: 'Enabled', ExpirationInDays: 1, NoncurrentVersionExpiration: { NoncurrentDays: 1 } },
    ]);
  });

  it('refuses requests that are not over TLS, and so does the log bucket; both policies stay with the retained buckets', () => {
    for (const bucketId of [controlId, logId]) {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: bucketId },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
      const policies = Object.values(resources).filter(
        (resource) => resource.Type === 'AWS::S3::BucketPolicy' && JSON.stringify(resource.Properties.Bucket) === JSON.stringify({ Ref: bucketId }),
      );
      expect(policies.map((policy) => policy.DeletionPolicy), bucketId).toEqual(['Retain']);
    }
  });

  it('keeps the access log bucket private and encrypted too', () => {
    expect(resources[logId]!.Properties).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    });
  });
});

describe('functions', () => {
  it('runs every entry on Node.js 24, arm64, with source-mapped stack traces', () => {
    for (const route of ENTRY_POINTS) {
      const fn = resources[logicalId(stack.entryFunctions.get(route.id)!.fn)]!;
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        Environment: { Variables: { NODE_OPTIONS: LAMBDA_NODE_OPTIONS } },
      });
    }
  });

  it('gives every function the control bucket, the control and archive prefixes and every table name', () => {
    const expected = {
      [ENV.controlBucket]: { Ref: logicalId(stack.controlBucket as never) },
      [ENV.controlPrefix]: DEFAULT_CONTROL_PREFIX,
      [ENV.archivePrefix]: DEFAULT_ARCHIVE_PREFIX,
      [DELIVERY_ENV.eventBus]: { Ref: logicalId(stack.eventBus as never) },
      ...Object.fromEntries(TABLES.map((definition) => [TABLE_ENV[definition.logicalName], { Ref: tableId(definition.logicalName) }])),
    };
    for (const [, fn] of ofType('AWS::Lambda::Function')) {
      expect(fn.Properties.Environment.Variables).toMatchObject(expected);
      // No sender configured (no context): notifications are off.
      expect(fn.Properties.Environment.Variables).not.toHaveProperty(DELIVERY_ENV.notificationSender);
    }
  });

  it('sizes movers at 512 MB / 29 s, other writers at 512 MB / 10 s, readers at 256 MB / 5 s, the stream consumer at 512 MB / 60 s and the reconciler at 512 MB / 300 s', () => {
    const sizeOf = (id: string) => functionSize(ENTRY_POINTS.find((route) => route.id === id)!);
    expect(['ArchiveWorkset', 'RestoreWorkset', 'DeleteWorkset'].map(sizeOf)).toEqual(Array(3).fill({ memoryMiB: 512, timeoutSeconds: 29 }));
    expect(['CreateWorkset', 'ClaimWorkset', 'CancelWorkset'].map(sizeOf)).toEqual(Array(3).fill({ memoryMiB: 512, timeoutSeconds: 10 }));
    expect(['Health', 'GetWorkset', 'QueueStats'].map(sizeOf)).toEqual(Array(3).fill({ memoryMiB: 256, timeoutSeconds: 5 }));
    expect(sizeOf('PublishStateChanges')).toEqual({ memoryMiB: 512, timeoutSeconds: 60 });
    expect(sizeOf('ReconcileWorksets')).toEqual({ memoryMiB: 512, timeoutSeconds: 300 });
    for (const route of ENTRY_POINTS) {
      const size = functionSize(route);
      const fn = resources[logicalId(stack.entryFunctions.get(route.id)!.fn)]!;
      expect({ route: route.id, memory: fn.Properties.MemorySize, timeout: fn.Properties.Timeout }).toEqual({
        route: route.id,
        memory: size.memoryMiB,
        timeout: size.timeoutSeconds,
      });
    }
  });

  it('logs each function to its own log group, kept for a month and retained', () => {
    for (const route of ENTRY_POINTS) {
      const fn = resources[logicalId(stack.entryFunctions.get(route.id)!.fn)]!;
      const logGroupId = (fn.Properties.LoggingConfig.LogGroup as { Ref: string }).Ref;
      expect(resources[logGroupId]).toMatchObject({ Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 }, DeletionPolicy: 'Retain' });
      // Structured records with request ids come from the runtime's JSON log format.
      expect(fn.Properties.LoggingConfig).toMatchObject({ LogFormat: 'JSON', ApplicationLogLevel: 'INFO' });
    }
    const logGroups = ofType('AWS::Lambda::Function').map(([, fn]) => JSON.stringify(fn.Properties.LoggingConfig.LogGroup));
    expect(new Set(logGroups).size).toBe(ENTRY_POINTS.length);
  });

  it('bundles with the esbuild options the tests and bundle-report use', () => {
    const cdk = nodejsBundling();
    const esbuild = lambdaBuildOptions('entry.ts', 'out');
    expect({
      format: cdk.format,
      target: cdk.target,
      mainFields: cdk.mainFields,
      banner: cdk.banner,
      minify: cdk.minify,
      sourcemap: cdk.sourceMap,
      sourcesContent: cdk.sourcesContent,
      external: cdk.externalModules,
    }).toEqual({
      format: esbuild.format,
      target: esbuild.target,
      mainFields: esbuild.mainFields,
      banner: esbuild.banner?.js,
      minify: esbuild.minify,
      sourcemap: esbuild.sourcemap,
      sourcesContent: esbuild.sourcesContent,
      external: esbuild.external,
    });
    // The SDK goes into the bundle; an empty list stops CDK's default of externalising @aws-sdk/*.
    expect(cdk.externalModules).toEqual([]);
    // And what the stack promises, in literal terms (docs/deploy.md, "Bundles").
    expect({ format: cdk.format, target: cdk.target, minify: cdk.minify, sourceMap: cdk.sourceMap, sourcesContent: cdk.sourcesContent }).toEqual({
      format: 'esm',
      target: 'node24',
      minify: true,
      sourceMap: true,
      sourcesContent: false,
    });
  });
});

describe('the entry-point table and the stack do not drift', () => {
  it('turns every entry into exactly one function, built from the handler file the local server loads', () => {
    expect([...stack.entryFunctions.keys()]).toEqual(ENTRY_POINTS.map((route) => route.id));
    for (const route of ENTRY_POINTS) {
      const { handlerPath: entry } = stack.entryFunctions.get(route.id)!;
      expect(path.relative(REPO_ROOT, entry)).toBe(route.handler);
      // The local server imports `resolve(its root, route.handler)`: the same file.
      expect(entry).toBe(path.resolve(LOCAL_SERVER_ROOT, route.handler));
    }
    expect(ofType('AWS::Lambda::Function')).toHaveLength(ENTRY_POINTS.length);
  });

  it('turns every route into exactly one API route that invokes that route\'s function', () => {
    expect(ofType('AWS::ApiGatewayV2::Route')).toHaveLength(HTTP_ENTRIES.length);
    for (const route of HTTP_ENTRIES) {
      const apiRoutes = ofType('AWS::ApiGatewayV2::Route').filter(([, r]) => r.Properties.RouteKey === `${route.trigger.method} ${route.trigger.path}`);
      expect(apiRoutes, `${route.trigger.method} ${route.trigger.path}`).toHaveLength(1);
      const integrationId = flattenCfnReference(apiRoutes[0]![1].Properties.Target).replace(/^integrations\/<|>$/g, '');
      const integration = resources[integrationId]!;
      expect(integration.Properties).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
      expect(flattenCfnReference(integration.Properties.IntegrationUri)).toBe(`<${logicalId(stack.entryFunctions.get(route.id)!.fn)}.Arn>`);
    }
  });

  it('requires SigV4 (IAM) on every route the table marks iam, a token with the route\'s scope on every jwt route, and nothing on the health check', () => {
    const routes = ofType('AWS::ApiGatewayV2::Route').map(([, resource]) => resource.Properties);
    const authorizers = ofType('AWS::ApiGatewayV2::Authorizer');
    expect(authorizers).toHaveLength(1);
    const [authorizerId] = authorizers[0]!;
    for (const route of HTTP_ENTRIES) {
      const deployed = routes.find((candidate) => candidate.RouteKey === `${route.trigger.method} ${route.trigger.path}`)!;
      const expected = { iam: { AuthorizationType: 'AWS_IAM' }, none: { AuthorizationType: 'NONE' }, jwt: { AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId }, AuthorizationScopes: [jwtScopeName(route.trigger)] } }[route.trigger.auth];
      expect(deployed, route.id).toMatchObject(expected);
      // API Gateway does not check token_use: without a scope, an ID token would pass.
      if (route.trigger.auth === 'jwt') expect(deployed.AuthorizationScopes).toHaveLength(1);
      else expect(deployed.AuthorizationScopes, route.id).toBeUndefined();
    }
    expect(HTTP_ENTRIES.filter((route) => route.trigger.auth === 'none').map((route) => `${route.trigger.method} ${route.trigger.path}`)).toEqual(['GET /']);
    // The lab routes (/api/: the customer routes and the pipeline catalogue) are the jwt routes, and the jwt routes are the lab routes.
    expect(HTTP_ENTRIES.filter((route) => route.trigger.auth === 'jwt').map((route) => route.id)).toEqual(HTTP_ENTRIES.filter((route) => route.trigger.path.startsWith('/api/')).map((route) => route.id));
  });
});

describe('least privilege, from each route\'s access', () => {
  const tableArn = (name: string) => `<${tableId(name)}.Arn>`;

  it('lets a function reach only the tables its route names, and query only the indexes it names', () => {
    for (const route of HTTP_ENTRIES) {
      const named = [...Object.keys(route.access.tables ?? {}), ...(route.access.items ?? []).map((grant) => grant.table)];
      const allowed = TABLES.filter((definition) => named.includes(definition.logicalName)).flatMap((definition) => [
        tableArn(definition.logicalName),
        ...(route.access.indexes?.[definition.logicalName] ?? []).map((index) => `${tableArn(definition.logicalName)}/index/${index}`),
      ]);
      const dynamoResources = statementsOf(route)
        .filter((statement) => statement.actions.some((action) => action.startsWith('dynamodb:')))
        .flatMap((statement) => statement.resources);
      expect(new Set(dynamoResources), route.id).toEqual(new Set(allowed));
    }
  });

  it('lets only the listing, queue and history routes query an index, each only the one it reads', () => {
    const queried = Object.fromEntries(
      HTTP_ENTRIES.map((route) => [route.id, statementsOf(route).filter((statement) => statement.actions.includes('dynamodb:Query')).flatMap((statement) => statement.resources).filter((resource) => resource.includes('/index/')).map((resource) => resource.split('/index/')[1]).sort()]),
    );
    expect(Object.fromEntries(Object.entries(queried).filter(([, indexes]) => indexes.length > 0))).toEqual({
      ListCustomerWorksets: ['customer-created-index'],
      ListWorksets: ['customer-created-index', 'state-queue-index'],
      NextWorkset: ['claimable-index', 'lease-expiry-index'],
      ClaimWorkset: ['claimable-index', 'lease-expiry-index'],
      WorksetLogs: ['history-index'],
      ListCustomers: ['customer-directory-index'],
    });
  });

  it('gives a read route no way to write the tables it reads, and only deleting routes DeleteItem', () => {
    for (const route of HTTP_ENTRIES) {
      for (const [name, level] of Object.entries(route.access.tables ?? {})) {
        // The whole table's grant (an item grant, confined to some keys, is checked below).
        const onTable = statementsOf(route)
          .filter((statement) => statement.resources.includes(tableArn(name)) && statement.condition === undefined)
          .flatMap((s) => s.actions);
        expect(onTable, `${route.id} on ${name}`).toContain('dynamodb:GetItem');
        if (level === 'read') expect(onTable.filter((action) => TABLE_WRITES.includes(action)), `${route.id} on ${name}`).toEqual([]);
        else expect(onTable, `${route.id} on ${name}`).toEqual(expect.arrayContaining(TABLE_WRITES));
        expect(onTable.includes('dynamodb:DeleteItem'), `${route.id} DeleteItem on ${name}`).toBe(level === 'delete');
        // Batches cannot carry conditions, and every write here is conditional.
        expect(onTable, `${route.id} on ${name}`).not.toContain('dynamodb:BatchWriteItem');
      }
    }
  });

  it('confines every item grant to the keys of its items (counters, machine clients), never a customer\'s settings', () => {
    for (const route of HTTP_ENTRIES) {
      for (const grant of route.access.items ?? []) {
        const level = route.access.tables?.[grant.table];
        const statements = statementsOf(route).filter((statement) => statement.resources.includes(tableArn(grant.table)) && statement.condition !== undefined);
        // A table grant at or above the item grant's level covers it: no second statement.
        if (level === 'write' || level === 'delete' || level === grant.access) continue;
        expect(statements.map((statement) => statement.condition), `${route.id} ${grant.items}`).toContainEqual({
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...ITEM_KEYS.customers[grant.items]] },
        });
      }
      // Every key pattern names an item kind with its own prefix, which no customer id can have.
      for (const statement of statementsOf(route).filter((candidate) => candidate.condition !== undefined && candidate.resources.some((resource) => resource.includes('Table')))) {
        const patterns = (statement.condition!['ForAllValues:StringLike'] as Record<string, string[]>)['dynamodb:LeadingKeys']!;
        for (const pattern of patterns) expect(pattern, route.id).toMatch(/^[a-z]+#\*$/);
        expect(statement.actions, route.id).not.toContain('dynamodb:Query');
        expect(statement.actions, route.id).not.toContain('dynamodb:DeleteItem');
      }
    }
    // Workers move counters but never read or write a customer's settings.
    const worker = statementsOf(HTTP_ENTRIES.find((route) => route.id === 'SetWorksetState')!).filter((statement) => statement.resources.includes(tableArn('customers')));
    expect(worker).toHaveLength(1);
    expect(worker[0]!.condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['counters#*'] } });
  });

  it('gives S3 permissions only to routes with bucket access, and each action only on the prefix that asks for it', () => {
    const bucketArn = `<${logicalId(stack.controlBucket as never)}.Arn>`;
    const prefixOf = { controlBucket: DEFAULT_CONTROL_PREFIX, archive: DEFAULT_ARCHIVE_PREFIX, uploads: UPLOAD_PREFIX } as const;
    for (const route of HTTP_ENTRIES) {
      const s3Statements = statementsOf(route).filter((statement) => statement.actions.some((action) => action.startsWith('s3:')));
      const grants = (Object.keys(prefixOf) as Array<keyof typeof prefixOf>).filter((key) => (route.access[key] ?? []).length > 0);
      if (grants.length === 0) expect(s3Statements, route.id).toEqual([]);
      for (const [action, verb] of [['s3:PutObject', 'put'], ['s3:AbortMultipartUpload', 'put'], ['s3:DeleteObject', 'delete'], ['s3:GetObject', 'get']] as const) {
        const granted = s3Statements.filter((statement) => statement.actions.includes(action)).flatMap((statement) => statement.resources);
        const wanted = grants.filter((key) => route.access[key]!.includes(verb)).map((key) => `${bucketArn}/${prefixOf[key]}*`);
        expect(granted.sort(), `${route.id} ${action}`).toEqual(wanted.sort());
      }
    }
  });

  it('confines the registration route\'s object writes to the control prefix', () => {
    const put = statementsOf(HTTP_ENTRIES.find((route) => route.id === 'CreateWorkset')!).filter((statement) => statement.actions.includes('s3:PutObject'));
    expect(put).toHaveLength(1);
    expect(put[0]!.resources).toEqual([`<${logicalId(stack.controlBucket as never)}.Arn>/${DEFAULT_CONTROL_PREFIX}*`]);
  });

  it('grants no wildcard action and no resource wider than the control, archive or upload prefix of the control bucket', () => {
    for (const route of HTTP_ENTRIES) {
      for (const statement of statementsOf(route)) {
        expect(statement.actions.filter((action) => action.includes('*')), route.id).toEqual([]);
        for (const resource of statement.resources.filter((r) => r.includes('*'))) {
          expect(resource, route.id).toMatch(
            new RegExp(`^<${logicalId(stack.controlBucket as never)}\\.Arn>/(${DEFAULT_CONTROL_PREFIX}|${DEFAULT_ARCHIVE_PREFIX}|${UPLOAD_PREFIX})\\*$`),
          );
        }
      }
    }
  });

  it('attaches no managed policy: each function may write only to its own log group', () => {
    for (const [, role] of ofType('AWS::IAM::Role')) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    for (const route of HTTP_ENTRIES) {
      const logs = statementsOf(route).filter((statement) => statement.actions.some((action) => action.startsWith('logs:')));
      const fn = resources[logicalId(stack.entryFunctions.get(route.id)!.fn)]!;
      expect(logs.flatMap((statement) => statement.resources)).toEqual([`<${fn.Properties.LoggingConfig.LogGroup.Ref}.Arn>`]);
    }
  });
});

describe('HTTP API', () => {
  it('serves the $default stage, auto-deployed, throttled by default, with JSON access logs', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"') },
    });
  });
});

describe('outputs', () => {
  it('gives the API URL, the control bucket and prefix for the monitor, and every table name', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(flattenCfnReference(outputs.ApiUrl!.Value)).toMatch(/^https:\/\/<Api[0-9A-F]+>\.execute-api\./);
    expect(outputs.ControlBucketName!.Value).toEqual({ Ref: logicalId(stack.controlBucket as never) });
    expect(outputs.ControlPrefix!.Value).toBe(DEFAULT_CONTROL_PREFIX);
    expect(outputs.ArchivePrefix!.Value).toBe(DEFAULT_ARCHIVE_PREFIX);
    for (const definition of TABLES) {
      const key = `${definition.logicalName.charAt(0).toUpperCase()}${definition.logicalName.slice(1)}TableName`;
      expect(outputs[key]?.Value, key).toEqual({ Ref: tableId(definition.logicalName) });
    }
  });
});

describe('cdk-nag', () => {
  it('finds nothing unacknowledged in the AwsSolutions pack', () => {
    expect(nagFindings(nag)).toEqual([]);
  });

  const acknowledgementsOf = (construct: IConstruct): Array<[string, string]> =>
    construct.node.metadata
      .filter((entry) => entry.type === 'aws:cdk:acknowledged-rules')
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>));

  it('records a reason with every acknowledgement', () => {
    const acknowledgements = stack.node.findAll().flatMap(acknowledgementsOf);
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const [id, reason] of acknowledgements) expect(reason.length, id).toBeGreaterThan(40);
  });

  it('acknowledges a wildcard only where the role holds it, and only as a literal prefix of the control bucket that the reason names', () => {
    const bucketArn = `<${logicalId(stack.controlBucket as never)}.Arn>`;
    for (const route of HTTP_ENTRIES) {
      const acknowledged = acknowledgementsOf(stack.entryFunctions.get(route.id)!.role)
        .flatMap(([id, reason]) => {
          const resource = /^(?:Annotation::)?AwsSolutions-IAM5\[Resource::(.+)\]$/.exec(id)?.[1];
          return resource ? [{ resource, reason }] : [];
        });
      const held = statementsOf(route).flatMap((statement) => statement.resources).filter((resource) => resource.includes('*'));
      expect(new Set(acknowledged.map((ack) => ack.resource)), route.id).toEqual(new Set(held));
      for (const { resource, reason } of acknowledged) {
        const prefix = [DEFAULT_CONTROL_PREFIX, DEFAULT_ARCHIVE_PREFIX, UPLOAD_PREFIX].find((candidate) => resource === `${bucketArn}/${candidate}*`);
        expect(prefix, `${route.id}: ${resource}`).toBeDefined();
        expect(reason, route.id).toContain(`"${prefix}"`);
      }
    }
  });
});
