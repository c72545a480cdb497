/**
 * Notification emails through SES (API v2, SendEmail). At most one per event: the client makes
 * one attempt per call (no SDK retries, which could send a message twice when an attempt's reply
 * is lost), and a refusal the service answered (a 4xx: throttling, a rejected address, an
 * unverified sender) is MessageNotSent, which the caller may retry; anything else leaves the
 * outcome unknown.
 */
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import type { EmailMessage } from '../../domain/state-change-event.ts';
import { MessageNotSent, type Mailer } from '../../ports/state-change-delivery.ts';

let client: SESv2Client | undefined;

export function sesClient(region: string): SESv2Client {
  client ??= new SESv2Client({ region, maxAttempts: 1 });
  return client;
}

/** Whether SES answered the request with a client error: it certainly did not send it. */
function refused(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  return typeof status === 'number' && status >= 400 && status < 500;
}

export function sesMailer(ses: SESv2Client): Mailer {
  return {
    async send(message: EmailMessage) {
      try {
        const answer = await ses.send(
          new SendEmailCommand({
            FromEmailAddress: message.from,
            Destination: { ToAddresses: [message.to] },
            Content: {
              Simple: {
                Subject: { Data: message.subject, Charset: 'UTF-8' },
                Body: { Text: { Data: message.text, Charset: 'UTF-8' } },
              },
            },
          }),
        );
        return { messageId: answer.MessageId ?? '' };
      } catch (error) {
        if (refused(error)) throw new MessageNotSent(`SES refused the message: ${(error as Error).name}`, { cause: error });
        throw error;
      }
    },
  };
}
