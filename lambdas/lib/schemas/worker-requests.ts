/**
 * What the worker and operator routes (`/worksets…`, `/queue/stats`) read: leases and the fenced
 * writes of a worker, an operator's listing.
 */
import * as v from 'valibot';
import {
  ERROR_CATEGORIES,
  isMetricValue,
  MAX_LEASE_SECONDS,
  MAX_METRIC_DEPTH,
  MAX_METRIC_KEYS_PER_WORKSET,
  MAX_METRIC_TEXT,
  MAX_METRIC_VALUE_BYTES,
} from '../domain/lifecycle.ts';
import { hasLoneSurrogate } from '../domain/plain-text.ts';
import { queryFields } from './query-fields.ts';
import { REGISTRATION_GRACE_SECONDS } from '../domain/registration.ts';
import { PRIORITIES, WORKSET_STATES } from '../domain/workset.ts';
import type { RequestContract } from './contract.ts';
import { nextToken, pageLimit, text } from './fields.ts';
import { CustomerId, worksetIdParameter } from './path-parameters.ts';

/** A worker's id: host names, pids, ARNs, ids with `@`, `:`, `/`. */
export const OwnerId = v.pipe(
  v.string(),
  v.trim(),
  v.nonEmpty('must not be empty'),
  v.maxLength(256, 'must be at most 256 characters'),
  v.regex(/^[A-Za-z0-9._:@/+=-]+$/, 'may contain only letters, digits and . _ : @ / + = -'),
);

// Builders marked free of side effects (as valibot's own are): a bundle drops the schemas it does not use.
const positiveInteger = /* @__NO_SIDE_EFFECTS__ */ (max: number, what: string) =>
  v.pipe(v.number(`must be ${what}`), v.integer(`must be ${what}`), v.minValue(1, `must be ${what}`), v.maxValue(max, `must be ${what}`));

/** Integers arrive as JSON numbers in bodies and as digits in query strings. */
const integerField = /* @__NO_SIDE_EFFECTS__ */ (max: number, what: string) =>
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
const METRIC_VALUE_RULE =
  `must be text of at most ${MAX_METRIC_TEXT} characters, a number DynamoDB can store (finite, 0 or 1e-130 ≤ |x| < 1e126), ` +
  `a boolean, null, or a list or map of those at most ${MAX_METRIC_DEPTH} levels deep and ${MAX_METRIC_VALUE_BYTES} bytes as JSON`;

/** One level of named values, merged key by key into the record's `metrics`. */
export const Metrics = v.pipe(
  v.record(
    v.pipe(v.string(), v.regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'metric names may contain only letters, digits and _ . : -')),
    v.custom(isMetricValue, METRIC_VALUE_RULE),
  ),
  v.check((value) => Object.keys(value).length <= MAX_METRIC_KEYS, `must have at most ${MAX_METRIC_KEYS} keys`),
  v.check((value) => JSON.stringify(value).length <= MAX_METRICS_BYTES, `must be at most ${MAX_METRICS_BYTES} bytes as JSON`),
  v.description(
    `Merged key by key into the workset's metrics, which keep at most ${MAX_METRIC_KEYS_PER_WORKSET} keys. ${METRIC_VALUE_RULE[0]!.toUpperCase()}${METRIC_VALUE_RULE.slice(1)}.`,
  ),
);

const reason = text(1000);
const errorDetails = v.pipe(
  v.string(),
  v.maxLength(10_000, 'must be at most 10000 characters'),
  v.check((value) => !hasLoneSurrogate(value), 'must not contain unpaired surrogates'),
);
const clusterName = v.pipe(v.string(), v.trim(), v.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'must be a cluster name ([A-Za-z0-9._-], at most 128 characters)'));

export const AcquireLeaseRequest = v.strictObject({ owner_id: OwnerId, lease_seconds: v.optional(LeaseSeconds) });
/** A heartbeat names its epoch: a restarted worker reusing its owner id must not extend a newer lease. */
export const RefreshLeaseRequest = v.strictObject({ owner_id: OwnerId, lease_epoch: LeaseEpoch, lease_seconds: v.optional(LeaseSeconds) });
export const ReleaseLeaseRequest = v.strictObject({ owner_id: OwnerId, lease_epoch: v.optional(LeaseEpoch) });
export const ClaimRequest = v.strictObject({ owner_id: OwnerId, lease_seconds: v.optional(LeaseSeconds) });

/** Targets settable through PUT …/state (`registering` belongs to registration only). */
const SETTABLE_STATES = /* @__PURE__ */ WORKSET_STATES.filter((state) => state !== 'registering');

/** A worker's transition: always under its lease. */
export const SetStateRequest = v.strictObject({
  state: v.picklist(SETTABLE_STATES, `must be one of ${SETTABLE_STATES.join(', ')}`),
  reason,
  owner_id: OwnerId,
  lease_epoch: LeaseEpoch,
  error_details: v.optional(errorDetails),
  cluster_name: v.optional(clusterName),
  metrics: v.optional(Metrics),
});

/** An operator's transition: no lease, a reason required (it goes into the history with the operator's name). */
export const OverrideRequest = v.strictObject({
  state: v.picklist(SETTABLE_STATES, `must be one of ${SETTABLE_STATES.join(', ')}`),
  reason,
  error_details: v.optional(errorDetails),
  cluster_name: v.optional(clusterName),
});

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

export const AdminListQuery = v.strictObject({
  state: v.optional(v.picklist(WORKSET_STATES, `must be one of ${WORKSET_STATES.join(', ')}`)),
  priority: v.optional(v.picklist(PRIORITIES, `must be one of ${PRIORITIES.join(', ')}`)),
  customer_id: v.optional(CustomerId),
  limit: pageLimit(1000, '100'),
  next_token: nextToken(),
});

/** An operator's settle request (POST /worksets/{workset_id}/settle). */
export const SettleRequest = v.strictObject({
  older_than_seconds: v.pipe(
    v.optional(v.pipe(v.number('must be a whole number of seconds'), v.integer('must be a whole number of seconds'), v.minValue(0, 'must not be negative'), v.maxValue(366 * 24 * 3600, 'must be at most a year'))),
    v.description(
      `Leave the workset alone if it changed more recently than this (default ${REGISTRATION_GRACE_SECONDS}: longer than any request lives). ` +
        'Shorter is safe (every step is conditional) but may settle a registration a request is still at work on, which then answers 409 or 503.',
    ),
  ),
  dry_run: v.pipe(v.optional(v.boolean()), v.description('Answer what would be done, and do nothing.')),
});

/** A worker's identity may also come in the query string, as the reference API took it. */
const OWNER = queryFields(['owner_id']);
const OWNER_AND_EPOCH = queryFields(['owner_id', 'lease_epoch']);
const workset = { workset_id: worksetIdParameter } as const;

export const ListWorksetsContract = { query: AdminListQuery } satisfies RequestContract;
export const GetWorksetContract = { path: workset } satisfies RequestContract;
export const ClaimWorksetContract = { body: { schema: ClaimRequest, required: false, alsoFromQuery: OWNER } } satisfies RequestContract;
export const AcquireLeaseContract = { path: workset, body: { schema: AcquireLeaseRequest, required: false, alsoFromQuery: OWNER } } satisfies RequestContract;
export const RefreshLeaseContract = { path: workset, body: { schema: RefreshLeaseRequest, required: false, alsoFromQuery: OWNER_AND_EPOCH } } satisfies RequestContract;
export const ReleaseLeaseContract = { path: workset, body: { schema: ReleaseLeaseRequest, required: false, alsoFromQuery: OWNER_AND_EPOCH } } satisfies RequestContract;
export const SetWorksetStateContract = { path: workset, body: { schema: SetStateRequest, required: true, alsoFromQuery: OWNER_AND_EPOCH } } satisfies RequestContract;
export const OverrideWorksetStateContract = { path: workset, body: { schema: OverrideRequest, required: true } } satisfies RequestContract;
export const RecordProgressContract = { path: workset, body: { schema: ProgressRequest, required: true, alsoFromQuery: OWNER_AND_EPOCH } } satisfies RequestContract;
export const SettleWorksetContract = { path: workset, body: { schema: SettleRequest, required: false } } satisfies RequestContract;
export const RecordFailureContract = { path: workset, body: { schema: FailureRequest, required: true, alsoFromQuery: OWNER_AND_EPOCH } } satisfies RequestContract;
