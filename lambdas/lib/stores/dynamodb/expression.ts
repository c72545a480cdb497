/**
 * The expression kit every module of the worksets adapter writes with: expressions with every
 * attribute name and value aliased (DynamoDB reserves hundreds of words, `state` and `metrics`
 * among them), and the two items that ride along with every state change (its history item and
 * its queue counter update).
 */
import type { TransactWriteItem } from './transactions.ts';
import { historyEntryId } from '../../domain/lifecycle.ts';
import { randomShardId, type CountDelta } from '../../domain/queue-counters.ts';
import { stateChangeDetail, type StateChangeDetail } from '../../domain/state-change-event.ts';
import type { HistoryEntry } from '../../domain/workset.ts';
import { HISTORY_ITEM_SEPARATOR } from '../tables.ts';
import { changesPartition, RECONCILE_AT, RECONCILE_KEY } from './reconcile-index.ts';

export class Expression {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  private count = 0;

  name(attribute: string): string {
    const existing = Object.entries(this.names).find(([, value]) => value === attribute);
    if (existing) return existing[0];
    const alias = `#n${this.count++}`;
    this.names[alias] = attribute;
    return alias;
  }

  /** A nested path, each segment aliased. */
  path(...segments: string[]): string {
    return segments.map((segment) => this.name(segment)).join('.');
  }

  value(value: unknown): string {
    const alias = `:v${this.count++}`;
    this.values[alias] = value;
    return alias;
  }

  /**
   * The record exists at `version`. Version 0 also matches a record without one: registration
   * begins a record unversioned, and a record from before versions has none (memory-worksets.ts's
   * atVersion). Existence is spelled out for 0 only: an update would otherwise create the item.
   */
  atVersion(version: number): string {
    const attribute = this.name('version');
    if (version !== 0) return `${attribute} = ${this.value(version)}`;
    return `attribute_exists(${this.name('workset_id')}) AND (attribute_not_exists(${attribute}) OR ${attribute} = ${this.value(0)})`;
  }

  /** `#state IN (:a, :b)` */
  oneOf(attribute: string, options: readonly string[]): string {
    return `${this.name(attribute)} IN (${options.map((option) => this.value(option)).join(', ')})`;
  }

  params(): { ExpressionAttributeNames: Record<string, string>; ExpressionAttributeValues?: Record<string, unknown> } {
    return {
      ExpressionAttributeNames: this.names,
      ...(Object.keys(this.values).length > 0 ? { ExpressionAttributeValues: this.values } : {}),
    };
  }
}

/**
 * The `ExpressionAttributeNames` of hand-written expressions, where every `#name` stands for the
 * attribute `name` (all of them aliased: DynamoDB reserves `state`, `version` and hundreds more).
 */
export function namesIn(...expressions: string[]): Record<string, string> {
  return Object.fromEntries((expressions.join(' ').match(/#\w+/g) ?? []).map((alias) => [alias, alias.slice(1)]));
}

/**
 * The counter update of one state move, on a random shard (none when nothing changes). Written by
 * hand like registration's expressions (state names are attribute-safe words): the route that
 * registers carries no Expression builder.
 */
export function counterUpdate(table: string, delta: CountDelta, random: () => number = Math.random): TransactWriteItem | undefined {
  const entries = Object.entries(delta).filter(([, value]) => value !== 0);
  if (entries.length === 0) return undefined;
  const adds = entries.map(([state], index) => `#${state} :d${index}`);
  return {
    Update: {
      TableName: table,
      Key: { workset_id: randomShardId(random) },
      UpdateExpression: `ADD ${adds.join(', ')}`,
      ExpressionAttributeNames: namesIn(...adds),
      ExpressionAttributeValues: Object.fromEntries(entries.map(([, value], index) => [`:d${index}`, value])),
    },
  };
}

/**
 * The history item of an entry: its own key, findable by workset through the history index and
 * by time through the reconcile index. It is also the change's outbox item: the stream consumer
 * publishes it as the change's event, so it carries what the event needs besides the entry (the
 * workset's customer and the version the change produced).
 */
export function historyPut(table: string, item: { readonly worksetId: string; readonly customerId: string; readonly version: number; readonly entry: HistoryEntry }): TransactWriteItem {
  const entryId = historyEntryId(item.version);
  // Fixed key order in what is stored: DynamoDB keeps no map order, readers rebuild it anyway.
  const { from, to, reason, actor, at, error_category } = item.entry;
  return {
    Put: {
      TableName: table,
      Item: {
        workset_id: `${item.worksetId}${HISTORY_ITEM_SEPARATOR}${entryId}`,
        history_of: item.worksetId,
        entry_id: entryId,
        customer_id: item.customerId,
        version: item.version,
        from,
        to,
        reason,
        actor,
        at,
        ...(error_category ? { error_category } : {}),
        [RECONCILE_KEY]: changesPartition(at),
        [RECONCILE_AT]: at,
      },
    },
  };
}

/** A history item as the event it publishes (items written before they carried `version` derive it from their key). */
export function changeFromHistoryItem(item: Record<string, unknown>): StateChangeDetail | undefined {
  const worksetId = item.history_of;
  const customerId = item.customer_id;
  const version = typeof item.version === 'number' ? item.version : Number(item.entry_id);
  if (typeof worksetId !== 'string' || typeof customerId !== 'string' || !Number.isInteger(version)) return undefined;
  const { from, to, reason, actor, at, error_category } = item as unknown as HistoryEntry;
  if (typeof to !== 'string' || typeof at !== 'string') return undefined;
  return stateChangeDetail({ worksetId, customerId, version, entry: { from: from ?? null, to, reason, actor, at, ...(error_category ? { error_category } : {}) } });
}
