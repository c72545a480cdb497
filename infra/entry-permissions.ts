/**
 * A route's `access` (from the entry-point table) turned into IAM statements: the only place that knows
 * which DynamoDB and S3 actions a table 'read', 'write' or 'delete' or a control-bucket 'put'
 * means. Plain data in, plain statements out (ARNs are whatever strings or tokens the caller
 * passes), so the stack, the tests and a reviewer all read the same policy.
 */
import type { ControlBucketAction, EntryPoint, EntryAccess, TableAccess } from './entry-points.ts';
import { ITEM_KEYS, TABLES, type TableDefinition } from '../lambdas/lib/stores/tables.ts';

export type TableName = TableDefinition['logicalName'];

/**
 * DynamoDB actions per access level, each including the one before: writers re-read what they
 * wrote, and only the routes that remove records (`delete`) may delete items.
 */
export const TABLE_ACTIONS: Readonly<Record<TableAccess, readonly string[]>> = (() => {
  // No Scan: every store reads by key or through an index. A route that needs one must say so here.
  const read = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'];
  // No BatchWriteItem: every write is conditional, and batches cannot carry conditions.
  const write = [...read, 'dynamodb:PutItem', 'dynamodb:UpdateItem'];
  const remove = [...write, 'dynamodb:DeleteItem'];
  return { read, write, delete: remove };
})();

/** Each access level's rank: a table grant at or above an item grant's level covers it. */
const LEVEL: Readonly<Record<TableAccess, number>> = { read: 0, write: 1, delete: 2 };

/** Actions that are valid on an index ARN (only reads are; writes go through the table). */
export const INDEX_ACTIONS: readonly string[] = ['dynamodb:Query'];

/**
 * S3 actions on objects, per control-bucket action; `list` is a bucket action (see below). `put`
 * includes AbortMultipartUpload: a copy above 5 GB is multipart, and a failed one aborts its upload.
 */
export const OBJECT_ACTIONS: Readonly<Record<Exclude<ControlBucketAction, 'list'>, readonly string[]>> = {
  get: ['s3:GetObject'],
  put: ['s3:PutObject', 's3:AbortMultipartUpload'],
  delete: ['s3:DeleteObject'],
};

/** The prefixes of the control bucket a function can be granted, by name. */
export interface ControlPrefixes {
  /** Active worksets: the monitor's `monitor.prefix`. */
  readonly active: string;
  /** Archived worksets: the monitor's `archive_prefix`. */
  readonly archive: string;
  /** Staged sample sheets (domain/sheet-upload.ts UPLOAD_PREFIX). */
  readonly uploads: string;
}

/** The keys of `EntryAccess` that list control-bucket actions (`controlBucket`, `archive`). */
export type BucketAccessKey = {
  [K in keyof EntryAccess]-?: NonNullable<EntryAccess[K]> extends readonly ControlBucketAction[] ? K : never;
}[keyof EntryAccess];

/**
 * Which prefix each bucket-access key of the entry-point table is confined to. Typed over every such
 * key: when the entry-point table gains another one, this map stops compiling until it is given its
 * prefix.
 */
export const PREFIX_OF_ACCESS: Readonly<Record<BucketAccessKey, keyof ControlPrefixes>> = {
  controlBucket: 'active',
  archive: 'archive',
  uploads: 'uploads',
};

export interface TableArns {
  /** The table's ARN; an index's ARN is `<table ARN>/index/<index name>`. */
  readonly table: string;
}

export interface Resources {
  readonly table: (name: TableName) => TableArns;
  readonly bucketArn: string;
  /** `bucketArn` + `/` + key pattern. */
  readonly objectArn: (keyPattern: string) => string;
  readonly prefixes: ControlPrefixes;
  /** The bus state-change events are published to. */
  readonly eventBusArn: string;
  /**
   * The notification sender and the SES identities it may be verified as (the address, its
   * domain); undefined when no sender is configured (notifications are off: no SES grant).
   */
  readonly sender?: { readonly address: string; readonly identityArns: readonly string[] };
}

export interface Statement {
  /** Stable id (also the IAM Sid): the tests look statements up by it. */
  readonly sid: string;
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly conditions?: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

/** A resource pattern that needs a wildcard, with the reason (for the cdk-nag acknowledgement). */
export interface Wildcard {
  readonly resource: string;
  readonly reason: string;
}

const pascal = (name: string): string => name.charAt(0).toUpperCase() + name.slice(1);

/** The bucket grants a route's access asks for: each prefix with the actions on it. */
export function bucketGrants(access: EntryAccess): Array<{ prefix: keyof ControlPrefixes; actions: readonly ControlBucketAction[] }> {
  return (Object.keys(PREFIX_OF_ACCESS) as BucketAccessKey[])
    .map((key) => ({ prefix: PREFIX_OF_ACCESS[key], actions: access[key] ?? [] }))
    .filter((grant) => grant.actions.length > 0);
}

/** Whether the route's function touches the control bucket at all (it then bundles the S3 client). */
export function usesControlBucket(route: EntryPoint): boolean {
  return bucketGrants(route.access).length > 0;
}

/** Whether the route changes anything: writers get the larger memory and timeout. */
export function isWriter(route: EntryPoint): boolean {
  const tableWrite = Object.values(route.access.tables ?? {}).some((level) => level !== 'read');
  const bucketWrite = bucketGrants(route.access).some((grant) =>
    grant.actions.some((action) => action === 'put' || action === 'delete'),
  );
  return tableWrite || bucketWrite;
}

/**
 * The SES identities a sender address may be verified as: the address itself, or its domain
 * (whichever the operator verified). SES checks the send against the one in use.
 */
export function senderIdentities(address: string): string[] {
  return [address, address.slice(address.lastIndexOf('@') + 1)];
}

/** Every statement the route's function needs, and nothing else. */
export function entryStatements(route: EntryPoint, resources: Resources): Statement[] {
  const statements: Statement[] = [];
  for (const [name, level] of Object.entries(route.access.tables ?? {}) as Array<[TableName, TableAccess]>) {
    const arns = resources.table(name);
    statements.push({ sid: `${pascal(name)}Table${pascal(level)}`, actions: TABLE_ACTIONS[level], resources: [arns.table] });
    const indexes = route.access.indexes?.[name] ?? [];
    if (indexes.length > 0) {
      // Every index copies whole items (projection ALL): a query on one lists worksets across
      // customers, so a route may query only the indexes it names.
      statements.push({ sid: `${pascal(name)}IndexQuery`, actions: INDEX_ACTIONS, resources: indexes.map((index) => `${arns.table}/index/${index}`) });
    }
  }
  for (const grant of route.access.items ?? []) {
    const keys = (ITEM_KEYS as Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>)[grant.table]?.[grant.items];
    if (!keys) throw new Error(`Entry ${route.id}: the ${grant.table} table has no items "${grant.items}" (stores/tables.ts ITEM_KEYS).`);
    const table = route.access.tables?.[grant.table];
    if (table !== undefined && LEVEL[table] >= LEVEL[grant.access]) continue;
    // Only the items whose key matches: IAM checks every key a request names (ForAllValues), and
    // these actions always name one.
    statements.push({
      sid: `${pascal(grant.table)}${pascal(grant.items)}${pascal(grant.access)}`,
      actions: TABLE_ACTIONS[grant.access].filter((action) => action !== 'dynamodb:BatchGetItem' && action !== 'dynamodb:Query'),
      resources: [resources.table(grant.table).table],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': keys } },
    });
  }
  for (const [name, indexes] of Object.entries(route.access.indexes ?? {}) as Array<[TableName, readonly string[]]>) {
    const defined = TABLES.find((definition) => definition.logicalName === name)?.indexes.map((index) => index.name) ?? [];
    const unknown = indexes.filter((index) => !defined.includes(index));
    if (unknown.length > 0 || !route.access.tables?.[name]) {
      throw new Error(`Entry ${route.id}: indexes ${JSON.stringify(indexes)} of table "${name}" need the table in its access and must be defined in TABLES (unknown: ${unknown.join(', ') || 'none'}).`);
    }
  }
  if (route.access.eventBus?.includes('publish')) {
    statements.push({ sid: 'EventBusPut', actions: ['events:PutEvents'], resources: [resources.eventBusArn] });
  }
  if (route.access.email?.includes('send') && resources.sender) {
    // SES authorizes a send on the identity the From address is verified as; the condition keeps
    // a domain identity from sending as any other address of the domain.
    statements.push({
      sid: 'NotificationEmailSend',
      actions: ['ses:SendEmail'],
      resources: [...resources.sender.identityArns],
      conditions: { StringEquals: { 'ses:FromAddress': [resources.sender.address] } },
    });
  }
  for (const grant of bucketGrants(route.access)) {
    const prefix = resources.prefixes[grant.prefix];
    const objectActions = grant.actions.flatMap((action) => (action === 'list' ? [] : OBJECT_ACTIONS[action]));
    if (objectActions.length > 0) {
      statements.push({
        sid: `ControlBucket${pascal(grant.prefix)}Objects`,
        actions: objectActions,
        resources: [resources.objectArn(`${prefix}*`)],
      });
    }
    if (grant.actions.includes('list')) {
      // ListBucket is granted on the bucket; the condition keeps listings inside the prefix.
      statements.push({
        sid: `ControlBucket${pascal(grant.prefix)}List`,
        actions: ['s3:ListBucket'],
        resources: [resources.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } },
      });
    }
  }
  return statements;
}

/** The wildcard resources among `entryStatements`, each with why it cannot be narrower. */
export function entryWildcards(route: EntryPoint, resources: Resources): Wildcard[] {
  return bucketGrants(route.access).flatMap((grant) => {
    const prefix = resources.prefixes[grant.prefix];
    const objectActions = grant.actions.filter((action) => action !== 'list');
    if (objectActions.length === 0) return [];
    return [
      {
        resource: resources.objectArn(`${prefix}*`),
        reason:
          `${route.id} may ${objectActions.join('/')} objects only under the ${grant.prefix} prefix "${prefix}" ` +
          'of the control bucket; the wildcard stands for ' +
          (grant.prefix === 'uploads' ? 'staged sheets, keyed by customer and a random upload id generated per upload.' : 'workset folders whose ids are generated at registration.'),
      },
    ];
  });
}
