/**
 * How an HTTP entry runs its middlewares: middy's order and shape (tiny objects of `before` /
 * `onError`), without bundling middy itself — every route's bundle has a size budget, and entries
 * use two hooks of it. `before`s run in order, then the handler, raced against the function's
 * remaining time less 5 ms (as middy's `timeoutEarlyInMillis`) so an invocation about to time out
 * still answers a problem; on an error the `onError`s run, last given first, and one of them sets
 * the response (an error none answers is rethrown, as middy does).
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';

export interface HttpRequest {
  readonly event: APIGatewayProxyEventV2;
  readonly context: Context;
  response?: APIGatewayProxyStructuredResultV2;
  error?: unknown;
}

export interface HttpMiddleware {
  readonly before?: (request: HttpRequest) => Promise<void>;
  readonly onError?: (request: HttpRequest) => Promise<void>;
}

/** How long before the function's deadline the handler is given up on. */
const TIMEOUT_EARLY_MS = 5;

function timeoutError(): Error {
  return Object.assign(new Error('[AbortError]: The operation was aborted.', { cause: { package: 'daylily-workset-api' } }), { name: 'TimeoutError' });
}

/** `work`, or a TimeoutError once the invocation is about to run out of time (no deadline: no limit). */
async function beforeDeadline<T>(work: Promise<T>, context: Context): Promise<T> {
  if (!context.getRemainingTimeInMillis) return work;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(timeoutError()), context.getRemainingTimeInMillis() - TIMEOUT_EARLY_MS);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export function withMiddlewares(
  handler: (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>,
  middlewares: readonly HttpMiddleware[],
): (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2> {
  return async (event = {} as APIGatewayProxyEventV2, context = {} as Context) => {
    const request: HttpRequest = { event, context };
    try {
      for (const middleware of middlewares) await middleware.before?.(request);
      return await beforeDeadline(handler(event, context), context);
    } catch (error) {
      request.error = error;
      for (const middleware of [...middlewares].reverse()) await middleware.onError?.(request);
      if (request.response === undefined) throw error;
      return request.response;
    }
  };
}
