/**
 * The HTTP plumbing every handler opts into in one line: domain errors turned into
 * `application/problem+json` (and logged). A handler only parses, calls a flow, answers.
 * The request id reaches the logs through the Lambda runtime's JSON log format.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { problemErrors } from './problem-errors.ts';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;

export function httpHandler(fn: (event: HttpEvent, context: Context) => Promise<HttpResult>) {
  return middy<HttpEvent, HttpResult>(fn).use(problemErrors());
}
