/**
 * The customer's counter item, which rides along with the worksets' state changes: the slots held
 * (taken within the quota, released unconditionally) and each month's registrations
 * (`worksets_YYYY-MM`, `samples_YYYY-MM`), moved in the same Update. Keys from CUSTOMER_ITEM_KEYS.
 */
import { CUSTOMER_ITEM_KEYS } from '../tables.ts';
import type { TransactWriteItem } from './transactions.ts';

/** Attribute of the counter item: slots held. */
export const ACTIVE = 'active_worksets';
/** Attributes of the counter item: a month's registrations. */
export const monthly = (month: string): { worksets: string; samples: string } => ({ worksets: `worksets_${month}`, samples: `samples_${month}` });

/**
 * Moves the counter item by `delta` slots: a take (+1) only while fewer than `limit` are held
 * (refused, the item's old image tells the usage: `usageOf`); a release (-1) unconditionally.
 * With `registration`, also that month's count of worksets and samples, by the same sign.
 */
export function counterUpdate(table: string, customerId: string, delta: number, limit?: number, registration?: { month: string; samples: number }): TransactWriteItem {
  const names = registration && monthly(registration.month);
  return {
    Update: {
      TableName: table,
      Key: { customer_id: CUSTOMER_ITEM_KEYS.counters(customerId) },
      UpdateExpression: names ? 'ADD #a :d, #w :d, #s :s' : 'ADD #a :d',
      ...(delta > 0 ? { ConditionExpression: 'attribute_not_exists(#a) OR #a < :limit', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } : {}),
      ExpressionAttributeNames: { '#a': ACTIVE, ...(names && { '#w': names.worksets, '#s': names.samples }) },
      ExpressionAttributeValues: { ':d': delta, ...(delta > 0 && { ':limit': limit }), ...(registration && { ':s': delta * registration.samples }) },
    },
  };
}

/** The usage a refused take saw (its counter item's ALL_OLD image). */
export function usageOf(item: Record<string, { N?: string }> | undefined): number {
  return Number(item?.[ACTIVE]?.N ?? 0);
}
