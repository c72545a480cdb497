/**
 * The wiring of the stream consumer: the outbox it reads (the worksets table's stream), the bus
 * events go to (EventBridge, or a local directory), the mailer (SES, or a local directory) with
 * the notification ledger, and the record read an email needs. Either delivery may be off; what
 * is on and off is logged once per cold start. Its bundle carries no S3 client.
 */
import { randomUUID } from 'node:crypto';
import { currentCoreSettings } from '../config/current.ts';
import { resolveDeliverySettings, type DeliverySettings } from '../config/delivery-settings.ts';
import type { EventDeps } from '../flows/deps.ts';
import { logger } from '../logging.ts';
import type { EventBus, StateChangeOutbox } from '../ports/state-change-delivery.ts';
import { dynamoNotificationLedger } from '../stores/dynamodb/notification-ledger.ts';
import { dynamoOutbox } from '../stores/dynamodb/outbox.ts';
import { readRecord } from '../stores/dynamodb/records.ts';
import { eventBridgeBus, eventBridgeClient } from '../stores/eventbridge/eventbridge-bus.ts';
import { fileEventBus } from '../stores/files/file-event-bus.ts';
import { fileMailer } from '../stores/files/file-mailer.ts';
import { sesClient, sesMailer } from '../stores/ses/ses-mailer.ts';
import { dynamoContext } from './table-deps.ts';

export type StreamConsumerDeps = EventDeps & { readonly outbox: StateChangeOutbox };

function eventBus(events: DeliverySettings['events'], region: string): EventBus | undefined {
  if (events.kind === 'bus') return eventBridgeBus(eventBridgeClient(region), events.busName);
  if (events.kind === 'directory') return fileEventBus(events.directory, region);
  return undefined;
}

/** What the consumer publishes to and mails with, in words: the start-up line. */
export function describeDelivery(settings: Pick<DeliverySettings, 'events' | 'notifications'>): { events: string; notifications: string } {
  const { events, notifications } = settings;
  return {
    events: events.kind === 'bus' ? `EventBridge bus ${events.busName}` : events.kind === 'directory' ? `JSON lines in ${events.directory}` : `off: ${events.reason}`,
    notifications:
      notifications.kind === 'ses' ? `SES, from ${notifications.sender}` : notifications.kind === 'directory' ? `files in ${notifications.directory}, from ${notifications.sender}` : `off: ${notifications.reason}`,
  };
}

let deps: StreamConsumerDeps | undefined;

export function eventDeps(): StreamConsumerDeps {
  if (!deps) {
    const settings = currentCoreSettings();
    const delivery = resolveDeliverySettings(process.env);
    const ctx = dynamoContext(settings);
    const { notifications } = delivery;
    const mailer = notifications.kind === 'ses' ? sesMailer(sesClient(settings.region)) : notifications.kind === 'directory' ? fileMailer(notifications.directory) : undefined;
    deps = {
      outbox: dynamoOutbox(),
      worksets: { getWorkset: (worksetId) => readRecord(ctx, worksetId) },
      bus: eventBus(delivery.events, settings.region),
      notifications: mailer && notifications.kind !== 'off' ? { mailer, ledger: dynamoNotificationLedger(ctx), sender: notifications.sender } : undefined,
      now: () => new Date(),
      token: randomUUID,
    };
    // Once per cold start: what is on, what is off and why, and a setting given but unusable.
    const described = describeDelivery(delivery);
    (delivery.events.kind === 'off' ? logger.warn : logger.info)('state-change events', { to: described.events });
    logger.info('notifications', { by: described.notifications });
    for (const warning of delivery.warnings) logger.warn(warning);
  }
  return deps;
}
