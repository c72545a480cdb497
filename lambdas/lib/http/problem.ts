/** RFC 9457 problem details, the only error body this API sends. */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { FieldError } from '../errors.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
export const PROBLEM_TYPE_BASE = 'https://daylily.dev/problems/';

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance?: string;
  readonly errors?: readonly FieldError[];
  readonly [extension: string]: unknown;
}

export function problemResponse(
  problem: Problem,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: problem.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(problem),
  };
}

export function problemType(code: string): string {
  return `${PROBLEM_TYPE_BASE}${code}`;
}
