/**
 * The one definition of the DynamoDB tables and their indexes. The stores, `--create-table`,
 * the test harness and the CDK stack all read this list; nothing else declares a key or an index.
 * Plain data on purpose: no SDK or CDK types, so every consumer can translate it its own way.
 */

export type KeyType = 'S' | 'N';

export interface KeyAttribute {
  readonly name: string;
  readonly type: KeyType;
}

export interface IndexDefinition {
  readonly name: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
}

export interface TableDefinition {
  /** Stable logical name: the settings key and the CDK construct id derive from it. */
  readonly logicalName: 'worksets' | 'customers' | 'idempotency' | 'notifications';
  readonly partitionKey: KeyAttribute;
  readonly indexes: readonly IndexDefinition[];
  /** Attribute holding an epoch-seconds expiry that DynamoDB TTL deletes on. */
  readonly ttlAttribute?: string;
}

/** Index names, referenced by the stores' queries. */
export const WORKSET_INDEXES = {
  /** One customer's worksets, newest first (query with ScanIndexForward=false). */
  byCustomer: 'customer-created-index',
  /**
   * The work queue and state listings: partition `state`, sort `queue_order` =
   * `{priority rank}#{created_at}`, so a forward query returns urgent before normal before low,
   * oldest first inside a priority.
   */
  byState: 'state-queue-index',
  /**
   * The queue a claim reads: only worksets nobody holds a lease on, `ready` or `retrying`
   * (partition `claimable`, the state; sort `queue_order`). The attribute exists only while the
   * workset can be claimed, so a claim never reads past leased worksets, however many wait to
   * start (stores/dynamodb/queue-index.ts keeps it).
   */
  claimable: 'claimable-index',
  /**
   * Live leases by expiry (partition `live_lease`, one value; sort `lease_expires_at`): a claim
   * finds leases that ran out without reading the ones that did not. The attribute exists only
   * while the lease is on a `ready`, `retrying` or `in_progress` workset.
   */
  leaseExpiry: 'lease-expiry-index',
  /**
   * A workset's full history, oldest first: partition `history_of` (the workset id), sort
   * `entry_id` (the zero-padded record version the entry produced). Only history items carry
   * these attributes, so the index holds nothing else.
   */
  history: 'history-index',
  /**
   * What the reconciler reads besides the queue (partition `reconcile_key`, sort `reconcile_at`),
   * two kinds of item in one index because CloudFormation adds one index per table update:
   * - records flagged `sentinel_sync_pending`: partition `sentinels`, sorted by when the flag was
   *   set, so the flagged ones are found in O(flagged) (stores/dynamodb/reconcile-index.ts);
   * - history items, the state changes: partition `changes#{hour}` (the UTC hour of the change,
   *   `2026-03-01T12`), sorted by the change's time, so the changes since a time are found in
   *   O(changes), one partition per hour and none of them hot for longer.
   */
  reconcile: 'reconcile-index',
} as const;

/**
 * Besides workset records (key: the workset id), the worksets table holds item kinds whose keys
 * contain `#`, which no workset id does, and which lack `state` and `created_at`, so the workset
 * indexes never see them:
 * - history entries, `{workset id}#history#{entry id}`, one per state change (history index, and
 *   the reconcile index by time); each is also the change's outbox item, read from the table's
 *   stream: it carries the workset's `customer_id` and the `version` the change produced, but no
 *   `created_at`, so the customer index (which needs both) never holds it;
 * - queue counters, `#queue-stats#{shard}`, one attribute per state (domain/queue-counters.ts);
 * - the reconciler's cursor, `#reconciler#cursor` (stores/dynamodb/reconciliation.ts).
 */
export const HISTORY_ITEM_SEPARATOR = '#history#';

// Each table below names its indexes by the constants' strings, not by reading WORKSET_INDEXES'
// properties: a bundler keeps an object literal that reads a property (it might be a getter),
// and with it every table definition, in every function that imports this module.
export const WORKSETS_TABLE: TableDefinition = {
  logicalName: 'worksets',
  partitionKey: { name: 'workset_id', type: 'S' },
  indexes: [
    { name: 'customer-created-index', partitionKey: { name: 'customer_id', type: 'S' }, sortKey: { name: 'created_at', type: 'S' } },
    { name: 'state-queue-index', partitionKey: { name: 'state', type: 'S' }, sortKey: { name: 'queue_order', type: 'S' } },
    { name: 'claimable-index', partitionKey: { name: 'claimable', type: 'S' }, sortKey: { name: 'queue_order', type: 'S' } },
    { name: 'lease-expiry-index', partitionKey: { name: 'live_lease', type: 'S' }, sortKey: { name: 'lease_expires_at', type: 'S' } },
    { name: 'history-index', partitionKey: { name: 'history_of', type: 'S' }, sortKey: { name: 'entry_id', type: 'S' } },
    { name: 'reconcile-index', partitionKey: { name: 'reconcile_key', type: 'S' }, sortKey: { name: 'reconcile_at', type: 'S' } },
  ] satisfies Array<IndexDefinition & { name: (typeof WORKSET_INDEXES)[keyof typeof WORKSET_INDEXES] }>,
};

/** Index names of the customers table. */
export const CUSTOMER_INDEXES = {
  /**
   * Every customer in id order (partition `directory`, one value; sort `customer_id`): the
   * operators' listing. Only customer items carry `directory`, so counters and client items stay out.
   */
  directory: 'customer-directory-index',
} as const;

/**
 * Besides customer items (key: the customer id, which never contains `#`), the customers table
 * holds two item kinds, each with its own key prefix so an IAM policy can grant them apart
 * (`dynamodb:LeadingKeys`): a customer's counters (slots held, registrations per month; written
 * by the lifecycle in the transactions of the state changes they count), and one item per machine
 * client naming the customer it acts for (read by the authorization of customer routes).
 */
export const CUSTOMER_ITEM_KEYS = {
  counters: (customerId: string): string => `counters#${customerId}`,
  client: (clientId: string): string => `client#${clientId}`,
} as const;

/**
 * Items of a table an IAM policy can grant apart, by the patterns of their keys (IAM
 * `dynamodb:LeadingKeys`, `StringLike`).
 */
export const ITEM_KEYS = {
  customers: {
    counters: ['counters#*'],
    clients: ['client#*'],
  },
} as const;
export type ItemKeys = keyof (typeof ITEM_KEYS)['customers'];

export const CUSTOMERS_TABLE: TableDefinition = {
  logicalName: 'customers',
  partitionKey: { name: 'customer_id', type: 'S' },
  indexes: [
    { name: 'customer-directory-index', partitionKey: { name: 'directory', type: 'S' }, sortKey: { name: 'customer_id', type: 'S' } },
  ] satisfies Array<IndexDefinition & { name: (typeof CUSTOMER_INDEXES)[keyof typeof CUSTOMER_INDEXES] }>,
};

/** Idempotency records of the create route; DynamoDB TTL removes them after their 24 h window. */
export const IDEMPOTENCY_TABLE: TableDefinition = {
  logicalName: 'idempotency',
  partitionKey: { name: 'idempotency_key', type: 'S' },
  indexes: [],
  ttlAttribute: 'expires_at',
};

/**
 * The notification ledger: one item per state-change event whose email was sent (or is being
 * sent), keyed by the event id, so a stream record delivered twice never mails twice
 * (flows/events/notify.ts). DynamoDB TTL removes an item a week after it was written: far longer
 * than a stream record can be redelivered (24 hours).
 */
export const NOTIFICATIONS_TABLE: TableDefinition = {
  logicalName: 'notifications',
  partitionKey: { name: 'event_id', type: 'S' },
  indexes: [],
  ttlAttribute: 'expires_at',
};

export const TABLES: readonly TableDefinition[] = [WORKSETS_TABLE, CUSTOMERS_TABLE, IDEMPOTENCY_TABLE, NOTIFICATIONS_TABLE];

/** Physical table name per logical table (from the settings, or the stack). */
export type TableNames = Record<TableDefinition['logicalName'], string>;
