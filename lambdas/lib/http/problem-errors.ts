/** Middy `onError`: the one place that maps errors to status codes and problem bodies. */
import type middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  ConflictError,
  ForbiddenError,
  InvalidInputError,
  NotConfiguredError,
  NotFoundError,
  OutcomeUnknownError,
  QuotaExceededError,
  UnauthenticatedError,
  UnprocessableInputError,
  UpstreamError,
  WorksetApiError,
} from '../errors.ts';
import { logger } from '../logging.ts';
import { HttpProblem } from './http-errors.ts';
import { worksetLocation } from './locations.ts';
import { problemResponse, problemType, type Problem } from './problem.ts';

/** Field errors an answer lists at most: an invalid request of N elements must not get an answer of N entries. */
export const MAX_PROBLEM_ERRORS = 20;

/** The first class an error is an instance of decides (subclasses before their parents). */
const STATUS: ReadonlyArray<[new (...args: never[]) => WorksetApiError, number]> = [
  [UnprocessableInputError, 422],
  [QuotaExceededError, 429],
  [InvalidInputError, 400],
  [UnauthenticatedError, 401],
  [ForbiddenError, 403],
  [NotFoundError, 404],
  [ConflictError, 409],
  [NotConfiguredError, 503],
  [UpstreamError, 503],
];

function toProblem(error: unknown, instance: string): Problem {
  if (error instanceof WorksetApiError) {
    const status = STATUS.find(([type]) => error instanceof type)?.[1] ?? 500;
    return {
      type: problemType(error.code),
      title: error.title,
      status,
      detail: error.message,
      instance,
      ...(error instanceof InvalidInputError && error.errors.length > 0
        ? {
            errors: error.errors.slice(0, MAX_PROBLEM_ERRORS),
            ...(error.errors.length > MAX_PROBLEM_ERRORS ? { errors_omitted: error.errors.length - MAX_PROBLEM_ERRORS } : {}),
          }
        : {}),
      ...(error instanceof ConflictError ? error.details : {}),
      ...(error instanceof OutcomeUnknownError ? { workset_id: error.workset.worksetId } : {}),
    };
  }
  if (error instanceof HttpProblem) {
    return { type: 'about:blank', title: error.title, status: error.status, detail: error.message, instance };
  }
  return {
    type: 'about:blank',
    title: 'Internal Server Error',
    status: 500,
    detail: 'An unexpected error occurred. It has been logged; quote the request id when reporting it.',
    instance,
  };
}

export function problemErrors(): middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  return {
    onError: async (request) => {
      const instance = request.event.requestContext?.requestId ?? request.context?.awsRequestId ?? '';
      const problem = toProblem(request.error, instance);
      if (problem.status >= 500) {
        logger.error(problem.detail, { status: problem.status, request_id: instance, route: request.event.routeKey, error: request.error as Error });
      } else {
        logger.info('request rejected', { status: problem.status, request_id: instance, route: request.event.routeKey, detail: problem.detail });
      }
      const headers: Record<string, string> = { 'x-request-id': instance };
      // A dependency hiccup is worth retrying soon; a missing configuration is not.
      if (problem.status === 503 && !(request.error instanceof NotConfiguredError)) headers['retry-after'] = '1';
      // Where to look the outcome up.
      if (request.error instanceof OutcomeUnknownError) headers.location = worksetLocation(request.error.workset);
      request.response = problemResponse(problem, headers);
    },
  };
}
