/**
 * What every answer to a hostile request must respect, whatever the request: no server error, a
 * problem small enough to log and show (it must never echo a large input back), any answer under
 * Lambda's response payload cap, and an answer within a few seconds. The documented-contract
 * check (response-contract.ts) is separate: `call()` applies it, and `npm run fuzz` applies it
 * to what it receives over HTTP.
 */
import { Buffer } from 'node:buffer';

/** A 4xx answer larger than this echoes its input (20 field errors of a few hundred bytes each fit easily). */
export const MAX_PROBLEM_BYTES = 16 * 1024;
/** Lambda's synchronous response payload limit: a larger answer never reaches the caller. */
export const MAX_ANSWER_BYTES = 6 * 1024 * 1024;
/** "A few seconds": below the readers' 5 s function timeout (infra/function-sizes.ts). */
export const MAX_LATENCY_MS = 5_000;

export interface BoundedAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
}

export interface BoundOptions {
  /**
   * A dependency was made to fail (outage tests): then, and only then, a 503 asking for a retry
   * (`Retry-After`) is the right answer. A 500 never is.
   */
  readonly dependencyFailed?: boolean;
}

/** What is wrong with an answer that took `elapsedMs` (nothing: an empty list). */
export function boundViolations(answer: BoundedAnswer, elapsedMs: number, options: BoundOptions = {}): string[] {
  const bytes = Buffer.byteLength(answer.text, 'utf8');
  const violations: string[] = [];
  const retryable = options.dependencyFailed === true && answer.status === 503 && answer.headers['retry-after'] !== undefined;
  if (answer.status >= 500 && !retryable) violations.push(`answered ${answer.status}: ${answer.text.slice(0, 300)}`);
  if (answer.status >= 400 && answer.status < 500 && bytes >= MAX_PROBLEM_BYTES) {
    violations.push(`answered ${answer.status} with ${bytes} bytes (a problem must stay under ${MAX_PROBLEM_BYTES}): ${answer.text.slice(0, 300)}…`);
  }
  if (bytes >= MAX_ANSWER_BYTES) violations.push(`answered ${bytes} bytes, over Lambda's ${MAX_ANSWER_BYTES}-byte response limit`);
  if (elapsedMs > MAX_LATENCY_MS) violations.push(`took ${Math.round(elapsedMs)} ms (limit ${MAX_LATENCY_MS} ms)`);
  return violations;
}
