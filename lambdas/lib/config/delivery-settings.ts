/**
 * The stream consumer's settings: where state-change events go and how notification emails are
 * sent. Read apart from settings.ts, by the consumer's wiring and the local server only, so the
 * other functions neither carry nor report them. Same precedence: environment, then defaults.
 */
import { CONFIG_DOCS, nonEmpty, type Env } from './settings.ts';

/** The environment variables of the delivery settings (the stack and the local server set them). */
export const DELIVERY_ENV = {
  /** The EventBridge bus state-change events are published to (the stack sets it). */
  eventBus: 'DAYLILY_EVENT_BUS',
  /** Instead of a bus: a directory the events are appended to as JSON lines (the local server sets it). */
  eventsDir: 'DAYLILY_EVENTS_DIR',
  /** The From address of notification emails; without it, no email is sent. */
  notificationSender: 'DAYLILY_NOTIFICATION_SENDER',
  /** Instead of SES: a directory each email is written to, one file per message (the local server sets it). */
  mailDir: 'DAYLILY_MAIL_DIR',
} as const;
const ENV = DELIVERY_ENV;

/** Where state-change events go: an EventBridge bus, a local directory of JSON lines, or nowhere (and why). */
export type EventsSetting =
  | { readonly kind: 'bus'; readonly busName: string }
  | { readonly kind: 'directory'; readonly directory: string }
  | { readonly kind: 'off'; readonly reason: string };

/** How notification emails are sent: SES, files in a local directory, or not at all (and why). */
export type NotificationsSetting =
  | { readonly kind: 'ses'; readonly sender: string }
  | { readonly kind: 'directory'; readonly sender: string; readonly directory: string }
  | { readonly kind: 'off'; readonly reason: string };

export interface DeliverySettings {
  readonly events: EventsSetting;
  readonly notifications: NotificationsSetting;
  /** Settings given but unusable (a sender that is no plain address), each naming the variable. */
  readonly warnings: readonly string[];
}

/** An address SES accepts as FromEmailAddress, plainly: `local@domain`, no display name, no IAM wildcard. */
const SENDER_ADDRESS = /^[^\s@<>"(),;:*?$]+@[^\s@<>"(),;:*?$]+$/;

/** Whether `address` can be the notification sender (the stack's context is checked with it too). */
export function isSenderAddress(address: string): boolean {
  return SENDER_ADDRESS.test(address);
}

function resolveEvents(env: Env): EventsSetting {
  const busName = nonEmpty(env[ENV.eventBus]);
  if (busName) return { kind: 'bus', busName };
  const directory = nonEmpty(env[ENV.eventsDir]);
  if (directory) return { kind: 'directory', directory };
  return { kind: 'off', reason: `No event bus is configured: state changes are not published. Set ${ENV.eventBus} (the stack does) or ${ENV.eventsDir} (the local server does); see ${CONFIG_DOCS}.` };
}

export function resolveDeliverySettings(env: Env): DeliverySettings {
  const events = resolveEvents(env);
  const raw = nonEmpty(env[ENV.notificationSender]);
  if (raw === undefined) {
    return { events, notifications: { kind: 'off', reason: `No notification sender is configured: no email is sent. Set ${ENV.notificationSender} (the stack does with -c notificationSender=…); see ${CONFIG_DOCS}.` }, warnings: [] };
  }
  if (!isSenderAddress(raw)) {
    const problem = `${ENV.notificationSender}=${JSON.stringify(raw)} is not a plain email address (local@domain, no display name); no email is sent. See ${CONFIG_DOCS}.`;
    return { events, notifications: { kind: 'off', reason: problem }, warnings: [problem] };
  }
  const directory = nonEmpty(env[ENV.mailDir]);
  return { events, notifications: directory ? { kind: 'directory', sender: raw, directory } : { kind: 'ses', sender: raw }, warnings: [] };
}
