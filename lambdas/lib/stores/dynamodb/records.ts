/**
 * What every module of the worksets adapter shares: the client and table names it runs with, the
 * consistent read of one record, and the two shapes of a conditional write (one UpdateItem, or a
 * transaction whose first item is the guarded record) answered as a WriteOutcome.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { WorksetRecord } from '../../domain/workset.ts';
import type { WriteOutcome } from '../../ports/worksets.ts';
import { sdkCall, translated } from '../aws-errors.ts';
import type { TableNames } from '../tables.ts';
import type { Expression } from './expression.ts';
import { fromItem, fromOptionalItem } from './queue-index.ts';
import { transactWrite, type TransactWriteItem } from './transactions.ts';

export interface DynamoContext {
  readonly db: DynamoDBDocumentClient;
  readonly tables: TableNames;
  /** Picks counter shards (tests make it deterministic). */
  readonly random: () => number;
}

/** A workset record by id. History and counter items share the table; their keys contain '#', a workset id never does. */
export async function readRecord(ctx: DynamoContext, worksetId: string): Promise<WorksetRecord | undefined> {
  if (worksetId.includes('#')) return undefined;
  const result = await sdkCall(() => ctx.db.send(new GetCommand({ TableName: ctx.tables.worksets, Key: { workset_id: worksetId }, ConsistentRead: true })));
  return fromOptionalItem(result.Item);
}

/**
 * One conditional UpdateItem answering the new record, or, when the condition failed, the record
 * as it is now (read afterwards, never before; skipped when `classify` is false).
 */
export async function conditionalUpdate(
  ctx: DynamoContext,
  worksetId: string,
  e: Expression,
  input: Pick<UpdateCommandInput, 'UpdateExpression' | 'ConditionExpression'>,
  classify = true,
): Promise<WriteOutcome> {
  if (worksetId.includes('#')) return { ok: false, current: undefined };
  try {
    const result = await ctx.db.send(
      new UpdateCommand({ TableName: ctx.tables.worksets, Key: { workset_id: worksetId }, ...input, ...e.params(), ReturnValues: 'ALL_NEW' }),
    );
    return { ok: true, record: fromItem(result.Attributes ?? {}) };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw translated(error);
    return { ok: false, current: classify ? await readRecord(ctx, worksetId) : undefined };
  }
}

/** A conditional write's outcome: false when its condition did not hold; any other failure translated. */
export async function conditionally(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw translated(error);
  }
}

/** An UpdateItem whose failed condition simply means "nothing to do". */
export async function updateUnlessChanged(ctx: DynamoContext, worksetId: string, e: Expression, input: Pick<UpdateCommandInput, 'UpdateExpression' | 'ConditionExpression'>): Promise<void> {
  try {
    await ctx.db.send(new UpdateCommand({ TableName: ctx.tables.worksets, Key: { workset_id: worksetId }, ...input, ...e.params() }));
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw translated(error);
  }
}

/** Runs a transaction; false when the first item's condition failed (the guarded record). */
export async function transactGuarded(ctx: DynamoContext, items: () => ReadonlyArray<TransactWriteItem | undefined>, what: string): Promise<boolean> {
  const outcome = await transactWrite(ctx.db, () => items().filter((item): item is TransactWriteItem => item !== undefined), { random: ctx.random });
  if (outcome.ok) return true;
  if (outcome.failedConditions.has(0)) return false;
  throw new Error(`${what} transaction refused by conditions ${[...outcome.failedConditions].join(', ')}`);
}
