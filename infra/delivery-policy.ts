/**
 * How the non-HTTP triggers hand work to their functions, and when they give up: the bounds the
 * stack sets on each stream's event source mapping and each schedule, which the local runner
 * (infra/local/triggers.ts) honours too. AWS's defaults are unbounded or nearly so (a failing
 * stream record is retried until it leaves the stream, a day later; Scheduler retries a tick 185
 * times over 24 hours), so every bound is set here. Plain data, no CDK import: the local server
 * reads it.
 */
import type { ScheduleTrigger } from './entry-points.ts';

/** A DynamoDB stream's event source mapping (`DynamoEventSource` in the stack). */
export const STREAM_DELIVERY = {
  /**
   * A new mapping starts at the stream's tip: records written before it existed are not
   * replayed (the reconciler, not the stream, repairs what happened before).
   */
  startingPosition: 'LATEST',
  /** Records per invocation when the entry does not say (Lambda's own default). */
  defaultBatchSize: 100,
  /**
   * Failed invocations retried before the failing records go to the entry's dead-letter queue.
   * Bisection on error halves a failing batch on each retry: isolating one bad record of 100
   * takes 7 halvings, and 10 leaves room for a transient error once it is alone. A poison
   * record so holds up its shard for at most 11 invocations (11 stream-consumer timeouts), not
   * until the record leaves the stream.
   */
  retryAttempts: 10,
  /**
   * Records older than this are not delivered; the mapping sends their position (shard and
   * sequence numbers, not the records) to the dead-letter queue. An hour leaves 23 of the
   * stream's 24 retention hours to read them again from that position.
   */
  maxRecordAgeSeconds: 3_600,
} as const;

/**
 * A schedule (EventBridge Scheduler → Lambda). Scheduler invokes the function asynchronously, so
 * two retry policies apply: Scheduler's, for handing the tick to Lambda, and Lambda's
 * asynchronous one, for a function that failed. A tick's work is a periodic pass that the next
 * tick repeats, so neither retries for long: a tick older than one period is dropped (it would
 * only overlap its successor), and a failed pass is not retried (Lambda's default is twice, up
 * to six hours later). Dropped and failed ticks go to the entry's dead-letter queue.
 */
export const SCHEDULE_DELIVERY = {
  /** Scheduler's attempts to hand a tick to Lambda again (throttled or failed Invoke calls). */
  deliveryRetryAttempts: 3,
  /** Lambda's retries of a tick whose invocation failed. */
  functionRetryAttempts: 0,
} as const;

/** Scheduler accepts a maximum event age of 60 s to 24 h, Lambda's asynchronous invocation 60 s to 6 h. */
const SCHEDULER_MAX_EVENT_AGE_SECONDS = 86_400;
const LAMBDA_ASYNC_MAX_EVENT_AGE_SECONDS = 21_600;

/** One period of the schedule, within what both Scheduler and Lambda accept. */
export function scheduleMaxEventAgeSeconds(trigger: ScheduleTrigger): number {
  return Math.min(Math.max(60, trigger.rate.minutes * 60), SCHEDULER_MAX_EVENT_AGE_SECONDS, LAMBDA_ASYNC_MAX_EVENT_AGE_SECONDS);
}

/**
 * The event a schedule entry's handler receives: the stack's schedule sends this object, its
 * values filled in by Scheduler's context attributes, and the local runner builds the same.
 */
export interface ScheduledTick {
  /** The schedule's ARN. */
  readonly scheduleArn: string;
  /** When the tick was due, ISO 8601 in UTC (`2026-05-04T10:15:00Z`). */
  readonly scheduledTime: string;
  /** Unique per tick; the same across Scheduler's delivery retries of one tick. */
  readonly executionId: string;
  /** Scheduler's delivery attempt, from "1" (a string: Scheduler substitutes it into JSON text). */
  readonly attemptNumber: string;
}
