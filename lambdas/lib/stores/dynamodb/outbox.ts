/**
 * The worksets table's stream read as the outbox of state changes: every state change's
 * transaction writes a history item (expression.ts historyPut), and its stream record is the
 * change's event. Only new history items are changes; the record updates, counters and cursor
 * the same transactions write are not (their records are skipped, never failed).
 */
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import type { OutboxEntry, StateChangeOutbox } from '../../ports/state-change-delivery.ts';
import { HISTORY_ITEM_SEPARATOR } from '../tables.ts';
import { changeFromHistoryItem } from './expression.ts';

/**
 * A stream image as plain values. History items hold strings, numbers and nulls; the other types
 * are read too, so a record of any item can be looked at.
 */
function plain(value: AttributeValue): unknown {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.NULL !== undefined) return null;
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.L !== undefined) return value.L.map(plain);
  if (value.M !== undefined) return Object.fromEntries(Object.entries(value.M).map(([name, inner]) => [name, plain(inner)]));
  if (value.SS !== undefined) return value.SS;
  if (value.NS !== undefined) return value.NS.map(Number);
  return undefined;
}

export function readOutboxRecord(record: DynamoDBRecord): OutboxEntry {
  const id = record.dynamodb?.SequenceNumber ?? record.eventID ?? '';
  const key = record.dynamodb?.Keys?.workset_id?.S ?? '';
  // A history item is written once; a MODIFY of one (the same key written again) is no new change.
  if (record.eventName !== 'INSERT' || !key.includes(HISTORY_ITEM_SEPARATOR)) return { id };
  const image = Object.fromEntries(Object.entries(record.dynamodb?.NewImage ?? {}).map(([name, value]) => [name, plain(value)]));
  const detail = changeFromHistoryItem(image);
  return detail ? { id, detail } : { id, problem: `the history item ${key} lacks what its event needs (customer_id, to, at)` };
}

export function dynamoOutbox(): StateChangeOutbox {
  return { read: (records) => records.map(readOutboxRecord) };
}
