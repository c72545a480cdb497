/**
 * TransactWriteItems with the two outcomes the stores care about: written, or refused by the
 * conditions of some items. DynamoDB also cancels a transaction that merely collided with another
 * one on the same item (`TransactionConflict`, e.g. two writers on one counter shard); those are
 * retried with jitter, rebuilding the items each time so a retry can pick another shard.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type DynamoDBDocumentClient, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { translated } from '../aws-errors.ts';

export type TransactWriteItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export type TransactOutcome =
  | { readonly ok: true }
  /**
   * Indexes (in the built list) of the items whose condition failed, and what those items held
   * (for items written with `ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`; marshalled).
   */
  | { readonly ok: false; readonly failedConditions: ReadonlySet<number>; readonly oldItems: ReadonlyArray<Record<string, { N?: string }> | undefined> };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function transactWrite(
  db: DynamoDBDocumentClient,
  build: () => readonly TransactWriteItem[],
  options: { readonly attempts?: number; readonly random?: () => number } = {},
): Promise<TransactOutcome> {
  const attempts = options.attempts ?? 8;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt += 1) {
    try {
      await db.send(new TransactWriteCommand({ TransactItems: [...build()] }));
      return { ok: true };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw translated(error);
      const reasons = error.CancellationReasons ?? [];
      const failedConditions = new Set(reasons.flatMap((reason, index) => (reason.Code === 'ConditionalCheckFailed' ? [index] : [])));
      if (failedConditions.size > 0) return { ok: false, failedConditions, oldItems: reasons.map((reason) => reason.Item as Record<string, { N?: string }> | undefined) };
      if (!reasons.some((reason) => reason.Code === 'TransactionConflict') || attempt >= attempts) throw translated(error);
      await sleep(5 * attempt + random() * 20);
    }
  }
}
