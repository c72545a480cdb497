/**
 * A customer (a lab): who it is, what it may run and where its data may live. Pure: the quotas'
 * slot rule, the data-location rule and new customer ids are decided here; the stores count and
 * the flows enforce.
 */
import { worksetSlug } from './workset-id.ts';
import type { WorksetState } from './workset.ts';

export const DEFAULT_MAX_ACTIVE_WORKSETS = 5;
export const DEFAULT_MAX_SAMPLES_PER_WORKSET = 20_000;

export interface CustomerRecord {
  readonly customer_id: string;
  readonly customer_name: string;
  readonly email: string;
  /** Worksets that may hold a slot at once (SLOT_STATES). */
  readonly max_active_worksets: number;
  readonly max_samples_per_workset: number;
  /** `s3://bucket/prefix/` locations its samples and exports may live under. */
  readonly data_locations: readonly string[];
  readonly billing_tags: Readonly<Record<string, string>>;
  /** A suspended customer registers nothing and retries nothing; its worksets stay readable. */
  readonly suspended: boolean;
  /** Client ids of its machine clients (client-credentials tokens act for this customer). */
  readonly machine_clients: readonly string[];
  readonly created_at: string;
  readonly updated_at: string;
  /** Incremented by every change of the settings (counters never change it). */
  readonly version: number;
}

/** Slot use and this month's registrations. */
export interface CustomerUsage {
  readonly customer_id: string;
  /** `YYYY-MM` (UTC). */
  readonly month: string;
  readonly active_worksets: number;
  readonly max_active_worksets: number;
  readonly worksets_registered: number;
  readonly samples_registered: number;
}

/** The settings an item written before they existed is read with (and the defaults of a new one). */
export function withCustomerDefaults({ customer_id, ...item }: Partial<CustomerRecord> & Pick<CustomerRecord, 'customer_id'>): CustomerRecord {
  // Fixed key order (DynamoDB keeps none): the answers read alike.
  return {
    customer_id,
    customer_name: customer_id,
    email: '',
    max_active_worksets: DEFAULT_MAX_ACTIVE_WORKSETS,
    max_samples_per_workset: DEFAULT_MAX_SAMPLES_PER_WORKSET,
    data_locations: [],
    billing_tags: {},
    suspended: false,
    machine_clients: [],
    created_at: '',
    updated_at: '',
    version: 0,
    ...item,
  };
}

/** `{slug}-{8 hex}`, like a workset id. */
export function newCustomerId(name: string, randomHex: string): string {
  return `${worksetSlug(name).replace(/^workset$/, 'customer')}-${randomHex}`;
}

// ---------------------------------------------------------------------------------------------
// Slots: a workset in one of these states counts against max_active_worksets.

export const SLOT_STATES: readonly WorksetState[] = ['registering', 'ready', 'in_progress', 'retrying'];

/** Whether a workset in `state` (null: none) holds one of its customer's slots. */
export const holdsSlot = (state: WorksetState | null): boolean => state !== null && SLOT_STATES.includes(state);

/** +1: the change takes a slot; -1: it releases one; 0: neither. */
export function slotDelta(from: WorksetState | null, to: WorksetState | null): number {
  return Number(holdsSlot(to)) - Number(holdsSlot(from));
}

/** The month registrations are counted in. */
export function usageMonth(at: string): string {
  return at.slice(0, 7);
}

// ---------------------------------------------------------------------------------------------
// Data locations

/**
 * `s3://bucket/key` split, or undefined for anything else: another scheme, or a key with a `.` or
 * `..` segment, a leading `/` or an empty segment, which S3 keeps literally but a path-minded
 * reader (a stager, a shell) might resolve elsewhere.
 */
export function s3Location(uri: string): { bucket: string; key: string } | undefined {
  const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(uri);
  const key = match?.[2] ?? '';
  return match && !/^\/|\/\/|(^|\/)\.\.?(\/|$)/.test(key) ? { bucket: match[1]!, key } : undefined;
}

/** A data location as stored, `s3://bucket/` or `s3://bucket/prefix/`; undefined when `uri` is not one. */
export function normaliseDataLocation(uri: string): string | undefined {
  const location = s3Location(uri.trim().replace(/\/+$/, '/'));
  if (!location) return undefined;
  return `s3://${location.bucket}/${location.key === '' || location.key.endsWith('/') ? location.key : `${location.key}/`}`;
}

/** Whether `uri` (an object or a prefix) lies under one of `locations` (each normalised). */
export function isUnderDataLocation(uri: string, locations: readonly string[]): boolean {
  const target = s3Location(uri);
  return target !== undefined && locations.some((location) => `s3://${target.bucket}/${target.key}`.startsWith(location));
}
