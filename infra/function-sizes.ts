/**
 * Memory and timeout of each entry's function, by what triggers it and what it does. Plain data,
 * no CDK import: the stack applies it, and `npm run bundle-report` prints it next to each
 * bundle's measured import time and resident memory.
 */
import { bucketGrants, isWriter } from './entry-permissions.ts';
import type { EntryPoint } from './entry-points.ts';

export interface FunctionSize {
  readonly memoryMiB: number;
  readonly timeoutSeconds: number;
}

/**
 * Memory is sized for CPU, not space. `npm run bundle-report` measures 48–64 MiB peak resident
 * memory after a bundle's import (Node included) and 60–110 ms of import time on one core of the
 * development machines; a request adds a few MiB. Lambda gives CPU in proportion to memory (one
 * vCPU at 1,769 MB), so 256 MB (about 0.14 vCPU) keeps a reader's cold import near half a second,
 * and writers, which also load the S3 client and make several round trips, get 512 MB.
 *
 * Timeouts: movers (archive, restore, hard delete) copy or delete a whole folder inside the
 * request, so they may run until just before API Gateway stops waiting (30 s for an HTTP API
 * integration); other writers make a handful of round trips, readers one or two.
 *
 * Nobody waits on a stream or schedule entry, so they may run longer, but not unboundedly: a
 * stream consumer handles a whole batch (up to 100 records, each a state change to publish), and
 * while it runs, or hangs, its shard waits; a minute is ample for a batch and keeps a stuck one
 * (retried at most STREAM_DELIVERY.retryAttempts times) from holding the shard for long. A
 * reconciler pass walks queues and leases across worksets page by page: five minutes, the
 * shortest period a reconciler is expected to run at, so passes do not pile up. Both get the
 * writers' memory, for the same CPU reason.
 */
export const FUNCTION_SIZES = {
  mover: { memoryMiB: 512, timeoutSeconds: 29 },
  writer: { memoryMiB: 512, timeoutSeconds: 10 },
  reader: { memoryMiB: 256, timeoutSeconds: 5 },
  streamConsumer: { memoryMiB: 512, timeoutSeconds: 60 },
  reconciler: { memoryMiB: 512, timeoutSeconds: 300 },
} as const satisfies Record<string, FunctionSize>;

/**
 * Stream and schedule entries by their trigger; a route by what it does: one that lists a prefix
 * walks a workset's folder object by object, so it is a mover.
 */
export function functionSize(route: EntryPoint): FunctionSize {
  if (route.trigger.kind === 'stream') return FUNCTION_SIZES.streamConsumer;
  if (route.trigger.kind === 'schedule') return FUNCTION_SIZES.reconciler;
  if (bucketGrants(route.access).some((grant) => grant.actions.includes('list'))) return FUNCTION_SIZES.mover;
  return isWriter(route) ? FUNCTION_SIZES.writer : FUNCTION_SIZES.reader;
}
