/** Request schemas of the lifecycle routes (worker, operator and customer actions). */
import * as v from 'valibot';
import { ERROR_CATEGORIES, MAX_LEASE_SECONDS } from '../domain/lifecycle.ts';
import { PRIORITIES, WORKSET_STATES } from '../domain/workset.ts';
import { text } from './fields.ts';
import { CustomerId } from './registration-requests.ts';

/** A worker's id: host names, pids, ARNs, ids with `@`, `:`, `/`. */
export const OwnerId = v.pipe(
  v.string(),
  v.trim(),
  v.nonEmpty('must not be empty'),
  v.maxLength(256, 'must be at most 256 characters'),
  v.regex(/^[A-Za-z0-9._:@/+=-]+$/, 'may contain only letters, digits and . _ : @ / + = -'),
);

const positiveInteger = (max: number, what: string) =>
  v.pipe(v.number(`must be ${what}`), v.integer(`must be ${what}`), v.minValue(1, `must be ${what}`), v.maxValue(max, `must be ${what}`));

/** Integers arrive as JSON numbers in bodies and as digits in query strings. */
const integerField = (max: number, what: string) =>
  v.union(
    [positiveInteger(max, what), v.pipe(v.string(), v.regex(/^\d{1,15}$/, `must be ${what}`), v.transform(Number), positiveInteger(max, what))],
    `must be ${what}`,
  );

export const LeaseEpoch = integerField(Number.MAX_SAFE_INTEGER, 'a positive integer (the lease_epoch the lease was granted with)');
export const LeaseSeconds = integerField(MAX_LEASE_SECONDS, `an integer number of seconds from 1 to ${MAX_LEASE_SECONDS}`);

/** ISO-8601 with a zone; stored normalised to UTC milliseconds so timestamps compare as strings. */
export const Timestamp = v.pipe(
  v.string(),
  v.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/, 'must be an ISO-8601 timestamp with a time zone'),
  v.check((value) => !Number.isNaN(Date.parse(value)), 'must be a valid date'),
  v.transform((value) => new Date(value).toISOString()),
);

const MAX_METRIC_KEYS = 100;
const MAX_METRICS_BYTES = 16 * 1024;

/** One level of named values, merged key by key into the record's `metrics`. */
export const Metrics = v.pipe(
  v.record(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'metric names may contain only letters, digits and _ . : -')), v.unknown()),
  v.check((value) => Object.keys(value).length <= MAX_METRIC_KEYS, `must have at most ${MAX_METRIC_KEYS} keys`),
  v.check((value) => JSON.stringify(value).length <= MAX_METRICS_BYTES, `must be at most ${MAX_METRICS_BYTES} bytes as JSON`),
);

const reason = text(1000);
const errorDetails = v.pipe(v.string(), v.maxLength(10_000, 'must be at most 10000 characters'));
const clusterName = v.pipe(v.string(), v.trim(), v.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'must be a cluster name ([A-Za-z0-9._-], at most 128 characters)'));

export const AcquireLeaseRequest = v.strictObject({ owner_id: OwnerId, lease_seconds: v.optional(LeaseSeconds) });
/** A heartbeat names its epoch: a restarted worker reusing its owner id must not extend a newer lease. */
export const RefreshLeaseRequest = v.strictObject({ owner_id: OwnerId, lease_epoch: LeaseEpoch, lease_seconds: v.optional(LeaseSeconds) });
export const ReleaseLeaseRequest = v.strictObject({ owner_id: OwnerId, lease_epoch: v.optional(LeaseEpoch) });
export const ClaimRequest = v.strictObject({ owner_id: OwnerId, lease_seconds: v.optional(LeaseSeconds) });

/** Targets settable through PUT …/state (`registering` belongs to registration only). */
const SETTABLE_STATES = WORKSET_STATES.filter((state) => state !== 'registering');

export const SetStateRequest = v.pipe(
  v.strictObject({
    state: v.picklist(SETTABLE_STATES, `must be one of ${SETTABLE_STATES.join(', ')}`),
    reason,
    owner_id: v.optional(OwnerId),
    lease_epoch: v.optional(LeaseEpoch),
    error_details: v.optional(errorDetails),
    cluster_name: v.optional(clusterName),
    metrics: v.optional(Metrics),
  }),
  v.forward(
    v.check((input) => (input.owner_id === undefined) === (input.lease_epoch === undefined), 'owner_id and lease_epoch go together'),
    ['lease_epoch'],
  ),
);

export const ProgressRequest = v.strictObject({
  owner_id: OwnerId,
  lease_epoch: LeaseEpoch,
  current_step: v.optional(text(256)),
  started_at: v.optional(Timestamp),
  finished_at: v.optional(Timestamp),
  cluster_name: v.optional(clusterName),
  metrics: v.optional(Metrics),
});

export const FailureRequest = v.strictObject({
  owner_id: OwnerId,
  lease_epoch: LeaseEpoch,
  error_details: errorDetails,
  error_category: v.picklist(ERROR_CATEGORIES, `must be one of ${ERROR_CATEGORIES.join(', ')}`),
  failed_step: v.optional(text(256)),
});

export const CustomerActionRequest = v.strictObject({ reason: v.optional(v.nullable(reason)) });
export const DeleteRequest = v.strictObject({ reason: v.optional(v.nullable(reason)), hard_delete: v.optional(v.boolean(), false) });

const limit = (max: number, fallback: string) =>
  v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d+$/, `must be an integer from 1 to ${max}`),
      v.transform(Number),
      v.minValue(1, `must be an integer from 1 to ${max}`),
      v.maxValue(max, `must be an integer from 1 to ${max}`),
    ),
    fallback,
  );
const nextToken = v.optional(v.pipe(v.string(), v.nonEmpty('must not be empty'), v.maxLength(2048, 'is too long')));

export const AdminListQuery = v.strictObject({
  state: v.optional(v.picklist(WORKSET_STATES, `must be one of ${WORKSET_STATES.join(', ')}`)),
  priority: v.optional(v.picklist(PRIORITIES, `must be one of ${PRIORITIES.join(', ')}`)),
  customer_id: v.optional(CustomerId),
  limit: limit(1000, '100'),
  next_token: nextToken,
});

export const LogsQuery = v.strictObject({ limit: limit(1000, '100'), next_token: nextToken });
