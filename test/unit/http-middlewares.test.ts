/** The middleware runner of HTTP entries: middy's order and its early timeout, without middy. */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { ForbiddenError } from '../../lambdas/lib/errors.ts';
import { withMiddlewares } from '../../lambdas/lib/http/middlewares.ts';
import { problemErrors } from '../../lambdas/lib/http/problem-errors.ts';

const event = { routeKey: 'GET /x', requestContext: { requestId: 'req-1' } } as unknown as APIGatewayProxyEventV2;
const contextWith = (remainingMs?: number) =>
  ({ awsRequestId: 'aws-1', ...(remainingMs === undefined ? {} : { getRemainingTimeInMillis: () => remainingMs }) }) as unknown as Context;

describe('HTTP entry middlewares', () => {
  it('a handler still running 5 ms before the deadline answers a 500 problem instead of timing out', async () => {
    const started = Date.now();
    const handler = withMiddlewares(() => new Promise(() => {}), [problemErrors()]);
    const response = await handler(event, contextWith(40));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(response.statusCode).toBe(500);
    expect(response.headers?.['content-type']).toBe('application/problem+json');
    expect(JSON.parse(String(response.body))).toMatchObject({ status: 500, instance: 'req-1' });
  });

  it('a handler that finishes in time answers as it did, with no deadline left pending', async () => {
    const handler = withMiddlewares(async () => ({ statusCode: 204 }), [problemErrors()]);
    expect(await handler(event, contextWith(60_000))).toEqual({ statusCode: 204 });
    expect(await handler(event, contextWith())).toEqual({ statusCode: 204 });
  });

  it('a before that throws keeps the handler from running, and its error is answered as a problem', async () => {
    const ran: string[] = [];
    const handler = withMiddlewares(
      async () => {
        ran.push('handler');
        return { statusCode: 200 };
      },
      [
        problemErrors(),
        {
          before: async () => {
            ran.push('first');
          },
        },
        {
          before: async () => {
            throw new ForbiddenError('no');
          },
        },
      ],
    );
    const response = await handler(event, contextWith(60_000));
    expect(ran).toEqual(['first']);
    expect(response.statusCode).toBe(403);
    expect(JSON.parse(String(response.body))).toMatchObject({ detail: 'no', instance: 'req-1' });
  });

  it('an error no onError answers is rethrown', async () => {
    const failure = new Error('unanswered');
    const handler = withMiddlewares(async () => Promise.reject(failure), [{ onError: async () => undefined }]);
    await expect(handler(event, contextWith())).rejects.toBe(failure);
  });
});
