/**
 * The entry-point table's IAM permissions, enforced on the emulators. DynamoDB Local and s3rver accept
 * any credentials, so a handler that needs an action its route does not grant would pass every
 * test and then fail with AccessDenied in AWS. While `call()` (api.ts) runs a route's handler,
 * every request the handler's AWS clients send is translated into the IAM authorizations AWS would
 * check and evaluated against the statements the stack gives that route's function
 * (infra/entry-permissions.ts). A request they do not allow fails the way AWS fails it, and is
 * reported after the test even if the handler swallowed the error.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { MiddlewareStack } from '@smithy/types';
import { entryStatements, senderIdentities, type Resources, type Statement } from '../../infra/entry-permissions.ts';
import type { EntryPoint, HttpEntry } from '../../infra/entry-points.ts';
import { resolveDeliverySettings } from '../../lambdas/lib/config/delivery-settings.ts';
import { resolveSettings, tableNames } from '../../lambdas/lib/config/settings.ts';
import { TABLES, type TableDefinition } from '../../lambdas/lib/stores/tables.ts';

/** One authorization AWS makes for a request: an action on a resource (and the listing prefix). */
export interface Authorization {
  readonly action: string;
  readonly resource: string;
  /** `s3:prefix`, for ListBucket. */
  readonly s3Prefix?: string;
  /** `dynamodb:LeadingKeys`: the partition key values an item request names. */
  readonly leadingKeys?: readonly string[];
}

export interface Violation {
  readonly route: string;
  readonly command: string;
  readonly denied: readonly Authorization[];
}

const ACCOUNT = '000000000000';

export type Service = 'dynamodb' | 's3';

// ---------------------------------------------------------------------------------------------
// SDK request → IAM authorizations (the service authorization references of DynamoDB and S3)

const tableArn = (region: string, table: string): string =>
  table.startsWith('arn:') ? table : `arn:aws:dynamodb:${region}:${ACCOUNT}:table/${table}`;

/** Document-client and low-level command names both map to the low-level operation. */
const DYNAMODB_OPERATION: Readonly<Record<string, string>> = {
  GetCommand: 'GetItem',
  PutCommand: 'PutItem',
  UpdateCommand: 'UpdateItem',
  DeleteCommand: 'DeleteItem',
  QueryCommand: 'Query',
  ScanCommand: 'Scan',
  BatchGetCommand: 'BatchGetItem',
  BatchWriteCommand: 'BatchWriteItem',
  TransactGetCommand: 'TransactGetItems',
  TransactWriteCommand: 'TransactWriteItems',
};

/** The item action of each kind of transaction item: AWS authorizes each item on its own. */
const TRANSACT_ITEM_ACTION: Readonly<Record<string, string>> = {
  ConditionCheck: 'dynamodb:ConditionCheckItem',
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  Get: 'dynamodb:GetItem',
};

/** The partition key values an item request names (every table here is keyed by its partition key alone); absent when it names none. */
function leadingKeys(...bodies: Array<{ Key?: Record<string, unknown>; Item?: Record<string, unknown> }>): { leadingKeys?: string[] } {
  const keys = bodies.flatMap((body) => {
    const item = body.Key ?? body.Item ?? {};
    const name = TABLES.map((definition) => definition.partitionKey.name).find((candidate) => candidate in item);
    return name === undefined ? [] : [String(item[name])];
  });
  return keys.length > 0 ? { leadingKeys: keys } : {};
}

export function dynamodbAuthorizations(command: string, input: any, region: string): Authorization[] | undefined {
  const operation = DYNAMODB_OPERATION[command] ?? command.replace(/Command$/, '');
  const on = (table: string, index?: string): string => `${tableArn(region, table)}${index ? `/index/${index}` : ''}`;
  switch (operation) {
    case 'GetItem':
    case 'PutItem':
    case 'UpdateItem':
    case 'DeleteItem':
      return [{ action: `dynamodb:${operation}`, resource: on(input.TableName), ...leadingKeys(input) }];
    case 'Query':
    case 'Scan':
      return [{ action: `dynamodb:${operation}`, resource: on(input.TableName, input.IndexName) }];
    case 'BatchGetItem':
    case 'BatchWriteItem':
      return Object.entries(input.RequestItems ?? {}).map(([table, request]) => ({
        action: `dynamodb:${operation}`,
        resource: on(table),
        ...leadingKeys(...((request as { Keys?: Record<string, unknown>[] }).Keys ?? []).map((key) => ({ Key: key }))),
      }));
    case 'TransactGetItems':
    case 'TransactWriteItems':
      return (input.TransactItems ?? []).flatMap((item: Record<string, { TableName: string; Key?: Record<string, unknown>; Item?: Record<string, unknown> }>) =>
        Object.entries(item).map(([kind, body]) => ({
          action: TRANSACT_ITEM_ACTION[kind] ?? `dynamodb:unknown-transaction-item-${kind}`,
          resource: on(body.TableName),
          ...leadingKeys(body),
        })),
      );
    default:
      return undefined;
  }
}

/** `CopySource` is `bucket/key`, URL-encoded, with an optional leading slash and `?versionId=`. */
function copySourceArn(copySource: string): string {
  const [path] = decodeURIComponent(copySource.replace(/^\//, '')).split('?versionId=');
  return `arn:aws:s3:::${path}`;
}

export function s3Authorizations(command: string, input: any): Authorization[] | undefined {
  const bucket = `arn:aws:s3:::${input.Bucket}`;
  const object = (key: string): string => `${bucket}/${key}`;
  switch (command.replace(/Command$/, '')) {
    case 'PutObject':
    case 'CreateMultipartUpload':
    case 'UploadPart':
    case 'CompleteMultipartUpload':
      return [{ action: 's3:PutObject', resource: object(input.Key) }];
    case 'GetObject':
    case 'HeadObject':
      return [{ action: 's3:GetObject', resource: object(input.Key) }];
    case 'DeleteObject':
      return [{ action: 's3:DeleteObject', resource: object(input.Key) }];
    case 'DeleteObjects':
      return (input.Delete?.Objects ?? []).map(({ Key }: { Key: string }) => ({ action: 's3:DeleteObject', resource: object(Key) }));
    case 'CopyObject':
    case 'UploadPartCopy':
      return [
        { action: 's3:PutObject', resource: object(input.Key) },
        { action: 's3:GetObject', resource: copySourceArn(input.CopySource) },
      ];
    case 'AbortMultipartUpload':
      return [{ action: 's3:AbortMultipartUpload', resource: object(input.Key) }];
    case 'ListObjects':
    case 'ListObjectsV2':
      return [{ action: 's3:ListBucket', resource: bucket, s3Prefix: input.Prefix ?? '' }];
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Policy evaluation: our statements only ever allow, so a request is allowed when one statement
// names its action, matches its resource and satisfies its conditions.

const globToRegExp = (pattern: string): RegExp =>
  new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);

function conditionsHold(statement: Statement, request: Authorization): boolean {
  return Object.entries(statement.conditions ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, patterns]) => {
      const matches = (value: string) => patterns.some((pattern) => globToRegExp(pattern).test(value));
      // Only what entry-permissions.ts writes is understood; anything else never matches.
      if (operator === 'StringLike' && key === 's3:prefix') return request.s3Prefix !== undefined && matches(request.s3Prefix);
      // Every key the request names must match (a request naming none is not one these grants allow).
      if (operator === 'ForAllValues:StringLike' && key === 'dynamodb:LeadingKeys') return (request.leadingKeys?.length ?? 0) > 0 && request.leadingKeys!.every(matches);
      return false;
    }),
  );
}

export function isAllowed(statements: readonly Statement[], request: Authorization): boolean {
  return statements.some(
    (statement) =>
      statement.actions.includes(request.action) &&
      statement.resources.some((resource) => globToRegExp(resource).test(request.resource)) &&
      conditionsHold(statement, request),
  );
}

/** The statements the stack would give the route, with the names the handler sees in `env`. */
export function statementsFor(route: EntryPoint, env: Readonly<Record<string, string | undefined>>): Statement[] {
  const settings = resolveSettings({}, env);
  const { events, notifications } = resolveDeliverySettings(env);
  const delivery: Pick<Resources, 'eventBusArn' | 'sender'> = {
    eventBusArn: `arn:aws:events:${settings.region}:${ACCOUNT}:event-bus/${events.kind === 'bus' ? events.busName : 'none'}`,
    ...(notifications.kind === 'off'
      ? {}
      : { sender: { address: notifications.sender, identityArns: senderIdentities(notifications.sender).map((identity) => `arn:aws:ses:${settings.region}:${ACCOUNT}:identity/${identity}`) } }),
  };
  if (!settings.controlBucket.ok) return entryStatements(route, { ...withoutBucket(settings.region, tableNames(settings)), ...delivery });
  const names = tableNames(settings);
  const bucketArn = `arn:aws:s3:::${settings.controlBucket.bucket}`;
  const resources: Resources = {
    ...withoutBucket(settings.region, names),
    ...delivery,
    bucketArn,
    objectArn: (pattern) => `${bucketArn}/${pattern}`,
    prefixes: {
      active: settings.controlBucket.prefix,
      archive: settings.archivePrefix.ok ? settings.archivePrefix.prefix : 'invalid-archive-prefix/',
      uploads: settings.uploads.ok ? settings.uploads.prefix : 'invalid-upload-prefix/',
    },
  };
  return entryStatements(route, resources);
}

/** With no control bucket configured, bucket grants point at no bucket: any S3 call is denied. */
function withoutBucket(region: string, names: Record<TableDefinition['logicalName'], string>): Omit<Resources, 'eventBusArn' | 'sender'> {
  return {
    table: (name) => ({ table: tableArn(region, names[name]) }),
    bucketArn: 'arn:aws:s3:::no-control-bucket',
    objectArn: (pattern) => `arn:aws:s3:::no-control-bucket/${pattern}`,
    prefixes: { active: 'none/', archive: 'none/', uploads: 'none/' },
  };
}

// ---------------------------------------------------------------------------------------------
// The guard: which route is running (per async context), and the middleware that checks it.

const running = new AsyncLocalStorage<EntryPoint>();
const violations: Violation[] = [];
const guarded = new WeakSet<object>();

/** Runs `work` as the given route: the guarded clients check its requests against its permissions. */
export function asRoute<T>(route: EntryPoint, work: () => Promise<T>): Promise<T> {
  return running.run(route, work);
}

/** The denials recorded since the last call, cleared. */
export function takeViolations(): Violation[] {
  return violations.splice(0, violations.length);
}

function accessDenied(service: Service, message: string): Error {
  const error = new Error(message);
  error.name = service === 'dynamodb' ? 'AccessDeniedException' : 'AccessDenied';
  return Object.assign(error, { $fault: 'client', $metadata: { httpStatusCode: service === 'dynamodb' ? 400 : 403 } });
}

/** Checks every request `client` sends while a route runs. Idempotent per client. */
export function guardClient(client: { middlewareStack: MiddlewareStack<any, any> }, service: Service, region: string): void {
  if (guarded.has(client)) return;
  guarded.add(client);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const route = running.getStore();
      if (route) {
        const command = String(context.commandName);
        const input = args.input as any;
        const requested = service === 'dynamodb' ? dynamodbAuthorizations(command, input, region) : s3Authorizations(command, input);
        const statements = statementsFor(route, process.env);
        const denied = requested?.filter((request) => !isAllowed(statements, request)) ?? [{ action: `${service}:${command} (not mapped to IAM by the guard)`, resource: '?' }];
        if (denied.length > 0) {
          violations.push({ route: route.id, command, denied });
          const first = denied[0]!;
          throw accessDenied(service, `route-permissions guard: ${route.id} is not authorized to perform ${first.action} on ${first.resource}`);
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'route-permissions-guard', priority: 'high' },
  );
}
