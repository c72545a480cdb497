/**
 * An HTTP entry point's handler, built from its request contract in one line: the input is
 * resolved and validated before the handler's own code runs (which reads nothing else of the
 * event), the principal comes from the authorizer, and errors become `application/problem+json`
 * (problem-errors.ts). Cross-cutting checks a route opts into (the authorization of customer
 * routes: wiring/customer-entry.ts) are middy middlewares given after the handler's code. The
 * request id reaches the logs through the Lambda runtime's JSON format.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { currentCoreSettings } from '../config/current.ts';
import type { Principal } from '../domain/principal.ts';
import type { RequestContract, RequestInput } from '../schemas/contract.ts';
import { principalOf } from './authorizer-principal.ts';
import { problemErrors } from './problem-errors.ts';
import { resolveInput } from './request-input.ts';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;
export type HttpMiddleware = middy.MiddlewareObj<HttpEvent, HttpResult>;

export interface EntryInput<C extends RequestContract> extends RequestInput<C> {
  readonly principal: Principal;
}

export type EntryRun<C extends RequestContract> = (input: EntryInput<C>, context: Context) => Promise<HttpResult>;

export type HttpEntryHandler<C extends RequestContract> = ((event: HttpEvent, context: Context) => Promise<HttpResult>) & {
  /** The contract the input is resolved by (the entry-point table documents the same object). */
  readonly contract: C;
  /** The handler's own code, given resolved input. */
  readonly run: EntryRun<C>;
};

/** The request's principal, as the handler and every middleware see it. */
export const requestPrincipal = (event: HttpEvent): Principal => principalOf(event, currentCoreSettings().auth);

export function httpEntry<C extends RequestContract>(contract: C, run: EntryRun<C>, ...middlewares: HttpMiddleware[]): HttpEntryHandler<C> {
  const resolved = async (event: HttpEvent, context: Context): Promise<HttpResult> => run({ ...resolveInput(contract, event), principal: requestPrincipal(event) }, context);
  const handler = middy<HttpEvent, HttpResult>(resolved).use(problemErrors()).use(middlewares);
  return Object.assign(handler, { contract, run });
}
