/**
 * The HTTP plumbing every handler opts into in one line: Lambda context in the logs, and domain
 * errors turned into `application/problem+json`. A handler only parses, calls a flow, answers.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { logger } from '../logging.ts';
import { problemErrors } from './problem-errors.ts';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;

export function httpHandler(fn: (event: HttpEvent, context: Context) => Promise<HttpResult>) {
  return middy<HttpEvent, HttpResult>(fn)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(problemErrors());
}
