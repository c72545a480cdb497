/**
 * The notification ledger on DynamoDB (stores/tables.ts NOTIFICATIONS_TABLE): one item per event
 * id, claimed with a conditional put before the email is sent. It holds ids and times only, no
 * address. DynamoDB TTL removes it at `expires_at`.
 */
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { NotificationLedger } from '../../ports/state-change-delivery.ts';
import { conditionally, type DynamoContext } from './records.ts';

/** A claim's life: `sending` (claimed; if it stays so, the outcome is unknown), `sent`, or `released` (claimable again). */
type Status = 'sending' | 'sent' | 'released';

export function dynamoNotificationLedger(ctx: Pick<DynamoContext, 'db' | 'tables'>): NotificationLedger {
  const TableName = ctx.tables.notifications;
  const names = { '#event_id': 'event_id', '#status': 'status', '#token': 'token' };
  return {
    async claim(input) {
      const claimed = await conditionally(() =>
        ctx.db.send(
          new PutCommand({
            TableName,
            Item: { event_id: input.eventId, status: 'sending' satisfies Status, token: input.token, claimed_at: input.at, expires_at: input.expiresAt },
            ConditionExpression: 'attribute_not_exists(#event_id) OR #status = :released',
            ExpressionAttributeNames: { '#event_id': names['#event_id'], '#status': names['#status'] },
            ExpressionAttributeValues: { ':released': 'released' satisfies Status },
          }),
        ),
      );
      return claimed ? 'claimed' : 'taken';
    },

    async confirm(input) {
      await conditionally(() =>
        ctx.db.send(
          new UpdateCommand({
            TableName,
            Key: { event_id: input.eventId },
            UpdateExpression: 'SET #status = :sent, #message_id = :message_id, #sent_at = :at',
            ConditionExpression: '#token = :token',
            ExpressionAttributeNames: { '#status': 'status', '#token': 'token', '#message_id': 'message_id', '#sent_at': 'sent_at' },
            ExpressionAttributeValues: { ':sent': 'sent' satisfies Status, ':message_id': input.messageId, ':at': input.at, ':token': input.token },
          }),
        ),
      );
    },

    async release(input) {
      await conditionally(() =>
        ctx.db.send(
          new UpdateCommand({
            TableName,
            Key: { event_id: input.eventId },
            UpdateExpression: 'SET #status = :released',
            // Only this caller's claim, and only while it is still a claim.
            ConditionExpression: '#token = :token AND #status = :sending',
            ExpressionAttributeNames: { '#status': 'status', '#token': 'token' },
            ExpressionAttributeValues: { ':released': 'released' satisfies Status, ':sending': 'sending' satisfies Status, ':token': input.token },
          }),
        ),
      );
    },
  };
}
