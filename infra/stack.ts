/**
 * The deployable service: the DynamoDB tables of `TABLES`, the S3 control bucket the cluster
 * monitor polls, and one Lambda function per entry of the entry-point table, wired to its trigger:
 * an HTTP API route, an event source mapping on a table's stream, or an EventBridge Scheduler
 * schedule (each of the last two with its own dead-letter queue). Nothing here names an entry or
 * a table: add one to either list and the stack follows.
 */
import path from 'node:path';
import { App, CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpRoute,
  HttpRouteKey,
  LogGroupLogDestination,
  type HttpStage,
  type IHttpRouteAuthorizer,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table, type Attribute } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { ApplicationLogLevel, Architecture, LoggingFormat, Runtime, StartingPosition, SystemLogLevel } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership, type IBucket } from 'aws-cdk-lib/aws-s3';
import { ContextAttribute, Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Queue, QueueEncryption, type QueuePolicy } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { Construct } from 'constructs';
import { DELIVERY_ENV } from '../lambdas/lib/config/delivery-settings.ts';
import { ENV } from '../lambdas/lib/config/settings.ts';
import { UPLOAD_PREFIX, UPLOAD_RETENTION_DAYS } from '../lambdas/lib/domain/sheet-upload.ts';
import { TABLES, type KeyAttribute } from '../lambdas/lib/stores/tables.ts';
import { handlerPath, LAMBDA_BUNDLE, LAMBDA_NODE_OPTIONS, REPO_ROOT } from './bundling.ts';
import { SCHEDULE_DELIVERY, scheduleMaxEventAgeSeconds, STREAM_DELIVERY, type ScheduledTick } from './delivery-policy.ts';
import { ENTRY_POINTS, isHttpEntry, jwtScopeName, streamTables, type EntryPoint, type ScheduleEntry, type StreamEntry } from './entry-points.ts';
import { entryStatements, entryWildcards, senderIdentities, type Resources, type Statement, type TableName } from './entry-permissions.ts';
import { functionSize } from './function-sizes.ts';
import { SignInResources } from './sign-in.ts';
import { stackConfigFromContext, type StackConfig } from './stack-config.ts';

export const LOG_RETENTION = RetentionDays.ONE_MONTH;

/** The environment variable that carries each table's name to the functions (settings.ts reads them). */
export const TABLE_ENV: Readonly<Record<TableName, string>> = {
  worksets: ENV.worksetTable,
  customers: ENV.customerTable,
  idempotency: ENV.idempotencyTable,
  notifications: ENV.notificationTable,
};

/**
 * Feature flags this stack depends on, set on the stack itself so `cdk synth` and the tests agree
 * whatever cdk.json holds. Access logs are delivered through a bucket policy instead of the legacy
 * log-delivery ACL, which an ACL-less (BucketOwnerEnforced) bucket would refuse.
 */
const FEATURE_FLAGS: Readonly<Record<string, boolean>> = {
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
};

/** The esbuild options of `bundling.ts`, in the shape `NodejsFunction` takes. */
export function nodejsBundling(): BundlingOptions {
  return {
    format: OutputFormat.ESM,
    target: LAMBDA_BUNDLE.target,
    mainFields: [...LAMBDA_BUNDLE.mainFields],
    banner: LAMBDA_BUNDLE.banner,
    minify: LAMBDA_BUNDLE.minify,
    sourceMap: LAMBDA_BUNDLE.sourcemap,
    sourcesContent: LAMBDA_BUNDLE.sourcesContent,
    externalModules: [...LAMBDA_BUNDLE.external],
  };
}

/** Where Lambda puts a function's bundle, and the name the operator's catalogue gets in it. */
export const LAMBDA_TASK_ROOT = '/var/task';
export const CATALOGUE_FILE = 'pipeline-catalogue.json';

const shellQuoted = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

/** Copies the (already checked) catalogue file into a bundle's output, next to index.mjs. */
export function shipCatalogue(file: string): NonNullable<BundlingOptions['commandHooks']> {
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir, outputDir) => [`cp ${shellQuoted(file)} ${shellQuoted(`${outputDir}/${CATALOGUE_FILE}`)}`],
  };
}

/** One entry's deployed pieces: what the drift and permission tests inspect. */
export interface EntryFunction {
  readonly entry: EntryPoint;
  readonly fn: NodejsFunction;
  readonly role: Role;
  /** Absolute path of the bundled module (the entry's `handler`). */
  readonly handlerPath: string;
  readonly statements: readonly Statement[];
  /** The API route of an HTTP entry. */
  readonly httpRoute?: HttpRoute;
  /** Where a stream or schedule entry's undeliverable or failed work goes. */
  readonly deadLetterQueue?: Queue;
  /** The schedule of a schedule entry. */
  readonly schedule?: Schedule;
}

export interface WorksetApiStackProps extends StackProps {
  readonly config: StackConfig;
  /** Default: the entry-point table (tests pass others). */
  readonly entries?: readonly EntryPoint[];
}

const pascal = (name: string): string => name.charAt(0).toUpperCase() + name.slice(1);

const keyAttribute = (key: KeyAttribute): Attribute => ({
  name: key.name,
  type: key.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER,
});

/** The exact id cdk-nag gives a wildcard finding for `resource` on a policy of this stack. */
const wildcardFindingId = (stack: Stack, resource: string): string =>
  `AwsSolutions-IAM5[Resource::${flattenCfnReference(stack.resolve(resource))}]`;

export class WorksetApiStack extends Stack {
  readonly config: StackConfig;
  readonly tables: ReadonlyMap<TableName, Table>;
  readonly controlBucket: IBucket;
  /** The bucket receiving the control bucket's server access logs (absent for an imported bucket). */
  readonly accessLogBucket: Bucket | undefined;
  readonly api: HttpApi;
  readonly stage: HttpStage;
  /** Where every state change is published as a `Workset State Change` event (docs/events.md). */
  readonly eventBus: EventBus;
  /** entry id → its function, handler and permissions, for every entry of the entry-point table. */
  readonly entryFunctions: ReadonlyMap<string, EntryFunction>;
  /** The issuer and authorizer of the JWT routes (absent when no entry is one). */
  readonly signIn: SignInResources | undefined;

  constructor(scope: Construct, id: string, props: WorksetApiStackProps) {
    super(scope, id, props);
    for (const [flag, value] of Object.entries(FEATURE_FLAGS)) this.node.setContext(flag, value);
    this.config = props.config;
    const removalPolicy = this.config.ephemeral ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const entries = props.entries ?? ENTRY_POINTS;
    const streamed = new Set<TableName>(streamTables(entries));

    this.tables = new Map(TABLES.map((definition) => {
      const table = new Table(this, `${pascal(definition.logicalName)}Table`, {
        partitionKey: keyAttribute(definition.partitionKey),
        billingMode: BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        deletionProtection: !this.config.ephemeral,
        removalPolicy,
        ...(definition.ttlAttribute ? { timeToLiveAttribute: definition.ttlAttribute } : {}),
        // Only where an entry reads it: a stream nobody consumes is a cost and a surprise. Both
        // images, so a consumer sees what changed (a state change, not only that one happened).
        ...(streamed.has(definition.logicalName) ? { stream: StreamViewType.NEW_AND_OLD_IMAGES } : {}),
      });
      for (const index of definition.indexes) {
        table.addGlobalSecondaryIndex({
          indexName: index.name,
          partitionKey: keyAttribute(index.partitionKey),
          ...(index.sortKey ? { sortKey: keyAttribute(index.sortKey) } : {}),
          projectionType: ProjectionType.ALL,
        });
      }
      return [definition.logicalName, table] as const;
    }));

    const bucket = this.createOrImportControlBucket(removalPolicy);
    this.controlBucket = bucket.controlBucket;
    this.accessLogBucket = bucket.accessLogBucket;

    // Subscribers add their own rules (docs/events.md); the bus is the stack's, its events ours.
    this.eventBus = new EventBus(this, 'StateChangeBus', { description: 'Workset State Change events, one per state change (docs/events.md)' });
    const sender = this.config.notificationSender;

    const resources: Resources = {
      table: (name) => ({ table: this.tableOf(name).tableArn }),
      bucketArn: this.controlBucket.bucketArn,
      objectArn: (keyPattern) => this.controlBucket.arnForObjects(keyPattern),
      prefixes: { active: this.config.controlPrefix, archive: this.config.archivePrefix, uploads: UPLOAD_PREFIX },
      eventBusArn: this.eventBus.eventBusArn,
      ...(sender
        ? { sender: { address: sender, identityArns: senderIdentities(sender).map((identity) => this.formatArn({ service: 'ses', resource: 'identity', resourceName: identity })) } }
        : {}),
    };

    const environment: Record<string, string> = {
      [ENV.controlBucket]: this.controlBucket.bucketName,
      [ENV.controlPrefix]: this.config.controlPrefix,
      [ENV.archivePrefix]: this.config.archivePrefix,
      [DELIVERY_ENV.eventBus]: this.eventBus.eventBusName,
      ...(sender ? { [DELIVERY_ENV.notificationSender]: sender } : {}),
      ...Object.fromEntries(TABLES.map((definition) => [
        TABLE_ENV[definition.logicalName],
        this.tableOf(definition.logicalName).tableName,
      ])),
      ...(this.config.signIn.kind === 'oidc' && this.config.signIn.customerClaim ? { [ENV.authCustomerClaim]: this.config.signIn.customerClaim } : {}),
      NODE_OPTIONS: LAMBDA_NODE_OPTIONS,
    };

    const apiAccessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: LOG_RETENTION, removalPolicy });
    this.api = new HttpApi(this, 'Api', {
      apiName: id,
      description: 'Daylily workset control plane (routes generated from infra/entry-points.ts)',
      createDefaultStage: false,
    });
    this.stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: this.config.throttleRateLimit, burstLimit: this.config.throttleBurstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(apiAccessLogs),
        format: AccessLogFormat.custom(JSON.stringify({
          requestId: '$context.requestId',
          requestTime: '$context.requestTime',
          routeKey: '$context.routeKey',
          path: '$context.path',
          status: '$context.status',
          protocol: '$context.protocol',
          responseLength: '$context.responseLength',
          responseLatency: '$context.responseLatency',
          integrationLatency: '$context.integrationLatency',
          integrationError: '$context.integrationErrorMessage',
          error: '$context.error.message',
          sourceIp: '$context.identity.sourceIp',
          userAgent: '$context.identity.userAgent',
          caller: '$context.identity.userArn',
        })),
      },
    });
    const iamAuthorizer = new HttpIamAuthorizer();
    this.signIn = entries.some((entry) => isHttpEntry(entry) && entry.trigger.auth === 'jwt')
      ? new SignInResources(this, 'SignIn', { signIn: this.config.signIn, resourceServer: this.config.resourceServer, stackName: id, removalPolicy })
      : undefined;

    const entryFunctions = new Map<string, EntryFunction>();
    for (const entry of entries) {
      const deployed = this.entryFunction(entry, { environment, resources, removalPolicy });
      entryFunctions.set(entry.id, { ...deployed, ...this.wireTrigger(entry, deployed.fn, { iamAuthorizer, jwtAuthorizer: this.signIn?.authorizer, removalPolicy }) });
    }
    this.entryFunctions = entryFunctions;

    new CfnOutput(this, 'ApiUrl', { value: this.stage.url, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'ControlBucketName', {
      value: this.controlBucket.bucketName,
      description: 'The monitor config key monitor.bucket',
    });
    new CfnOutput(this, 'ControlPrefix', {
      value: this.config.controlPrefix,
      description: 'The monitor config key monitor.prefix',
    });
    new CfnOutput(this, 'ArchivePrefix', {
      value: this.config.archivePrefix,
      description: 'The monitor config key archive_prefix',
    });
    new CfnOutput(this, 'EventBusName', { value: this.eventBus.eventBusName, description: 'Where Workset State Change events are published: a rule on it subscribes (docs/events.md)' });
    new CfnOutput(this, 'EventBusArn', { value: this.eventBus.eventBusArn, description: 'The event bus, for rules and cross-account targets' });
    for (const definition of TABLES) {
      new CfnOutput(this, `${pascal(definition.logicalName)}TableName`, {
        value: this.tableOf(definition.logicalName).tableName,
        description: `Sets ${TABLE_ENV[definition.logicalName]} for tools run outside the stack`,
      });
    }
  }

  tableOf(name: TableName): Table {
    const table = this.tables.get(name);
    if (!table) throw new Error(`No table "${name}" in the stack: TABLES and the stack disagree.`);
    return table;
  }

  private createOrImportControlBucket(removalPolicy: RemovalPolicy): { controlBucket: IBucket; accessLogBucket: Bucket | undefined } {
    if (this.config.controlBucketName !== undefined) {
      // An operator's bucket keeps its own policies; the stack only grants the functions on it.
      return { controlBucket: Bucket.fromBucketName(this, 'ControlBucket', this.config.controlBucketName), accessLogBucket: undefined };
    }
    const secure = {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy,
      autoDeleteObjects: this.config.ephemeral,
    } as const;
    const accessLogBucket = new Bucket(this, 'AccessLogBucket', {
      ...secure,
      lifecycleRules: [{ id: 'ExpireAccessLogs', expiration: Duration.days(365) }],
    });
    Validations.of(accessLogBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket is the destination of the control bucket\'s server access logs; logging it into itself would loop.',
    });
    const controlBucket = new Bucket(this, 'ControlBucket', {
      ...secure,
      versioned: true,
      serverAccessLogsBucket: accessLogBucket,
      serverAccessLogsPrefix: 'control-bucket/',
      lifecycleRules: [
        // The monitor rewrites sentinels and its index every poll: old versions pile up otherwise.
        { id: 'ExpireOldVersions', noncurrentVersionExpiration: Duration.days(30) },
        { id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
        // Staged sample sheets: registration removes the ones it reads; the rest (never
        // registered, or a removal that failed) go after a day, their old versions too.
        {
          id: 'ExpireStagedSheets',
          prefix: UPLOAD_PREFIX,
          expiration: Duration.days(UPLOAD_RETENTION_DAYS),
          noncurrentVersionExpiration: Duration.days(UPLOAD_RETENTION_DAYS),
        },
      ],
    });
    // A retained bucket keeps its policy: deleting the stack must not drop TLS-only enforcement
    // or the log delivery grant while the data stays.
    for (const bucket of [accessLogBucket, controlBucket]) bucket.policy?.applyRemovalPolicy(removalPolicy);
    return { controlBucket, accessLogBucket };
  }

  private entryFunction(
    entry: EntryPoint,
    shared: { environment: Record<string, string>; resources: Resources; removalPolicy: RemovalPolicy },
  ): Omit<EntryFunction, 'httpRoute'> {
    const modulePath = handlerPath(entry);
    const size = functionSize(entry);
    const logGroup = new LogGroup(this, `${entry.id}Logs`, { retention: LOG_RETENTION, removalPolicy: shared.removalPolicy });

    // An own role instead of the default one: the default attaches AWSLambdaBasicExecutionRole,
    // which may write to any log group; this one may write to its function's log group only.
    const role = new Role(this, `${entry.id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${describeTrigger(entry)}: the access its entry declares`,
    });
    logGroup.grantWrite(role);
    const statements = entryStatements(entry, shared.resources);
    for (const statement of statements) {
      role.addToPolicy(new PolicyStatement({
        sid: statement.sid,
        actions: [...statement.actions],
        resources: [...statement.resources],
        ...(statement.conditions ? { conditions: statement.conditions } : {}),
      }));
    }
    for (const wildcard of entryWildcards(entry, shared.resources)) {
      Validations.of(role).acknowledge({ id: wildcardFindingId(this, wildcard.resource), reason: wildcard.reason });
    }

    // An operator's catalogue travels in the bundle of each function that reads it.
    const catalogue = entry.access.pipelineCatalogue ? this.config.pipelineCatalogue : undefined;
    const fn = new NodejsFunction(this, `${entry.id}Function`, {
      entry: modulePath,
      handler: 'handler',
      description: describeTrigger(entry),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: size.memoryMiB,
      timeout: Duration.seconds(size.timeoutSeconds),
      logGroup,
      // The handlers log plain objects; the runtime's JSON format adds timestamp, level and
      // request id, and drops records below the level (lambdas/lib/logging.ts).
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      systemLogLevelV2: SystemLogLevel.WARN,
      role,
      environment: catalogue ? { ...shared.environment, [ENV.pipelineCatalogue]: `${LAMBDA_TASK_ROOT}/${CATALOGUE_FILE}` } : shared.environment,
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      bundling: catalogue ? { ...nodejsBundling(), commandHooks: shipCatalogue(catalogue) } : nodejsBundling(),
    });
    return { entry, fn, role, handlerPath: modulePath, statements };
  }

  /** Connects the entry's function to what triggers it. */
  private wireTrigger(
    entry: EntryPoint,
    fn: NodejsFunction,
    shared: { iamAuthorizer: HttpIamAuthorizer; jwtAuthorizer: IHttpRouteAuthorizer | undefined; removalPolicy: RemovalPolicy },
  ): Pick<EntryFunction, 'httpRoute' | 'deadLetterQueue' | 'schedule'> {
    const { trigger } = entry;
    switch (trigger.kind) {
      case 'http': {
        const authorizer = trigger.auth === 'iam' ? shared.iamAuthorizer : trigger.auth === 'jwt' ? shared.jwtAuthorizer! : new HttpNoneAuthorizer();
        const httpRoute = new HttpRoute(this, `${entry.id}Route`, {
          httpApi: this.api,
          routeKey: HttpRouteKey.with(trigger.path, HttpMethod[trigger.method]),
          integration: new HttpLambdaIntegration(`${entry.id}Integration`, fn),
          authorizer,
          // API Gateway does not check `token_use`: the scope keeps ID tokens (which have none) out.
          ...(trigger.auth === 'jwt' ? { authorizationScopes: [jwtScopeName(trigger, this.config.resourceServer)] } : {}),
        });
        if (trigger.auth === 'none') {
          Validations.of(httpRoute).acknowledge({
            id: 'AwsSolutions-APIG4',
            reason: `${trigger.method} ${trigger.path} is marked auth 'none' in the entry-point table: it is the public health check and its function holds no data permissions.`,
          });
        }
        return { httpRoute };
      }
      case 'stream':
        return this.wireStream({ ...entry, trigger }, fn, shared.removalPolicy);
      case 'schedule':
        return this.wireSchedule({ ...entry, trigger }, fn, shared.removalPolicy);
    }
  }

  /**
   * An event source mapping on the table's stream, with every unbounded default bounded
   * (delivery-policy.ts): records a batch cannot get past after its retries, or too old to
   * deliver, go to the entry's dead-letter queue as a position in the stream.
   */
  private wireStream(entry: StreamEntry, fn: NodejsFunction, removalPolicy: RemovalPolicy): Pick<EntryFunction, 'deadLetterQueue'> {
    const { table: tableName, batchSize } = entry.trigger;
    const deadLetterQueue = this.deadLetterQueue(
      entry,
      removalPolicy,
      `the positions (shard, sequence numbers) of the ${tableName} table's stream records that ${entry.id} could not process within its retries or record age`,
    );
    // The mapping's grant (CDK's grantStreamRead) gives the role read access to this stream
    // only, plus dynamodb:ListStreams, which has no resource-level permissions.
    fn.addEventSource(new DynamoEventSource(this.tableOf(tableName), {
      startingPosition: StartingPosition[STREAM_DELIVERY.startingPosition],
      batchSize: batchSize ?? STREAM_DELIVERY.defaultBatchSize,
      reportBatchItemFailures: true,
      bisectBatchOnError: true,
      retryAttempts: STREAM_DELIVERY.retryAttempts,
      maxRecordAge: Duration.seconds(STREAM_DELIVERY.maxRecordAgeSeconds),
      onFailure: new SqsDlq(deadLetterQueue),
    }));
    Validations.of(fn.role!).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: `dynamodb:ListStreams, part of the stream grant of ${entry.id}'s event source mapping, supports no resource-level permissions; the stream's records are readable on the ${tableName} table's stream ARN only.`,
    });
    return { deadLetterQueue };
  }

  /**
   * An EventBridge Scheduler schedule invoking the function every `rate.minutes`, with the
   * bounded retries of delivery-policy.ts on both sides of the asynchronous invocation.
   */
  private wireSchedule(entry: ScheduleEntry, fn: NodejsFunction, removalPolicy: RemovalPolicy): Pick<EntryFunction, 'deadLetterQueue' | 'schedule'> {
    const maxEventAge = Duration.seconds(scheduleMaxEventAgeSeconds(entry.trigger));
    const deadLetterQueue = this.deadLetterQueue(
      entry,
      removalPolicy,
      `the ticks of ${entry.id}'s schedule that Scheduler could not deliver, and the invocations that failed`,
    );
    fn.configureAsyncInvoke({
      retryAttempts: SCHEDULE_DELIVERY.functionRetryAttempts,
      maxEventAge,
      onFailure: new SqsDestination(deadLetterQueue),
    });
    const tick: ScheduledTick = {
      scheduleArn: ContextAttribute.scheduleArn,
      scheduledTime: ContextAttribute.scheduledTime,
      executionId: ContextAttribute.executionId,
      attemptNumber: ContextAttribute.attemptNumber,
    };
    // An own role rather than the target's shared default, so the acknowledgement below sits on
    // the role that holds the grant. Only this account's schedules may assume it.
    const role = new Role(this, `${entry.id}SchedulerRole`, {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': this.account } } }),
      description: `EventBridge Scheduler: invokes ${entry.id} ${describeTrigger(entry)}`,
    });
    Validations.of(role).acknowledge({
      id: wildcardFindingId(this, `${fn.functionArn}:*`),
      reason: `The Lambda target's grant (grantInvoke) names ${entry.id}'s function and its qualified ARNs (versions and aliases, ":*") of that one function only; the schedule invokes the unqualified function.`,
    });
    const schedule = new Schedule(this, `${entry.id}Schedule`, {
      schedule: ScheduleExpression.rate(Duration.minutes(entry.trigger.rate.minutes)),
      description: `${entry.id}: ${describeTrigger(entry)}`,
      target: new LambdaInvoke(fn, {
        role,
        input: ScheduleTargetInput.fromObject(tick),
        retryAttempts: SCHEDULE_DELIVERY.deliveryRetryAttempts,
        maxEventAge,
        deadLetterQueue,
      }),
    });
    return { deadLetterQueue, schedule };
  }

  /** A stream or schedule entry's dead-letter queue: encrypted, TLS only, kept like the tables. */
  private deadLetterQueue(entry: EntryPoint, removalPolicy: RemovalPolicy, holds: string): Queue {
    const queue = new Queue(this, `${entry.id}DeadLetters`, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // SQS's longest: the messages are evidence to investigate, not work that expires.
      retentionPeriod: Duration.days(14),
      removalPolicy,
    });
    // The TLS-only policy stays with a retained queue, as the buckets' policies do.
    (queue.node.findChild('Policy') as QueuePolicy).applyRemovalPolicy(removalPolicy);
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: `This queue is itself a dead-letter queue: it holds ${holds}; nothing consumes it to fail again.`,
    });
    return queue;
  }
}

/** What runs an entry's function, in words: `GET /worksets`, `the worksets table's stream`, `every 5 min`. */
export function describeTrigger(entry: EntryPoint): string {
  const { trigger } = entry;
  switch (trigger.kind) {
    case 'http':
      return `${trigger.method} ${trigger.path}`;
    case 'stream':
      return `the ${trigger.table} table's stream`;
    case 'schedule':
      return `every ${trigger.rate.minutes} min`;
  }
}

/** The CDK app: one stack configured from context, checked by cdk-nag on every synth. */
export function createApp(
  options: { context?: Record<string, unknown>; outdir?: string; entries?: readonly EntryPoint[] } = {},
): { app: App; stack: WorksetApiStack } {
  const app = new App({
    ...(options.context ? { context: options.context } : {}),
    ...(options.outdir ? { outdir: options.outdir } : {}),
  });
  const config = stackConfigFromContext((key) => app.node.tryGetContext(key));
  const stack = new WorksetApiStack(app, config.stackName, {
    config,
    description: 'Daylily workset API: tables, control bucket, one function per route, HTTP API (infra/stack.ts)',
    ...(options.entries ? { entries: options.entries } : {}),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
