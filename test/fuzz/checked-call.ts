/**
 * One fuzz request through `call()` (the route's real handler under its IAM guard and documented
 * contract), held to the answer bounds: a broken contract, a 5xx, an unbounded or slow answer or
 * an AWS request the route is not granted throws, naming the request, so the property fails on it.
 */
import { call, type CallResult } from '../support/api.ts';
import { takeViolations } from '../support/permissions-guard.ts';
import { boundViolations, type BoundOptions } from './answer-bounds.ts';
import { describeRequest, type HostileRequest } from './route-requests.ts';

/** Answers seen, by route and status: what a run reached (FUZZ_STATS=1 prints them). */
export const seenStatuses = new Map<string, Map<number, number>>();

export async function checkedCall(request: HostileRequest, options: BoundOptions = {}): Promise<CallResult> {
  const started = performance.now();
  let answer: CallResult;
  try {
    answer = await call(request.routeId, {
      path: request.path,
      query: request.query,
      headers: request.headers,
      ...(request.body === undefined ? {} : { body: request.body }),
      ...(request.base64 ? { base64: true } : {}),
    });
  } catch (error) {
    throw new Error(`${request.routeId}: ${(error as Error).message}\n  request: ${describeRequest(request)}`, { cause: error });
  }
  const byStatus = seenStatuses.get(request.routeId) ?? new Map<number, number>();
  byStatus.set(answer.status, (byStatus.get(answer.status) ?? 0) + 1);
  seenStatuses.set(request.routeId, byStatus);
  const violations = [
    ...boundViolations(answer, performance.now() - started, options),
    ...takeViolations().map((violation) => `made an AWS request its route is not granted: ${JSON.stringify(violation)}`),
  ];
  if (violations.length > 0) throw new Error(`${request.routeId} ${violations.join('\n  ')}\n  request: ${describeRequest(request)}`);
  return answer;
}
