/**
 * The authorization of customer routes (`/api/customers/{customer_id}/…`), a middleware a route
 * opts into: the principal must be allowed to act for the path's customer. No verified principal
 * where one is required is a 401; a token that names no customer (or several), or a machine
 * client registered to none, is a 403; another customer is the same 404 a missing workset (or
 * customer) gets, so ids reveal nothing. Operators act for every customer. Runs before the input
 * is resolved, as API Gateway's authorizer would.
 */
import { isMachineToken, OPERATORS_GROUP, tokenCustomers } from '../domain/principal.ts';
import { ForbiddenError, notFound, UnauthenticatedError } from '../errors.ts';
import { requestPrincipal, type HttpMiddleware } from './http-entry.ts';

export interface CustomerAuthorization {
  /** Whether a customer route without a verified principal is refused (false only locally, `--auth off`). */
  readonly required: () => boolean;
  /**
   * The customer a machine client is registered to. Absent on a route whose function reads no
   * table (the preview): a machine token that names no customer itself is then refused (403).
   */
  readonly clientCustomer?: (clientId: string) => Promise<string | undefined>;
}

export function customerAuthorization(options: CustomerAuthorization): HttpMiddleware {
  return {
    before: async ({ event }) => {
      const principal = requestPrincipal(event);
      if (principal.kind === 'anonymous') {
        if (options.required()) throw new UnauthenticatedError('A bearer token is required.');
        return;
      }
      // Operators (IAM, or the operators group) act for every customer.
      if (principal.kind === 'iam' || principal.token.groups.includes(OPERATORS_GROUP)) return;
      const { token } = principal;
      // A machine token acts for the customer its client is registered to; a user's token names its own.
      const lookup = isMachineToken(token) && token.customerClaim === undefined;
      if (lookup && !options.clientCustomer) throw new ForbiddenError("This route takes a user's or an operator's token: a machine client's customer is not known to it.");
      const named = lookup ? [await options.clientCustomer!(token.clientId!)].filter((id) => id !== undefined) : tokenCustomers(token);
      if (named.length !== 1) throw new ForbiddenError('The token names no customer.');
      const customerId = event.pathParameters?.customer_id ?? '';
      if (named[0] === customerId) return;
      const worksetId = event.pathParameters?.workset_id;
      throw worksetId === undefined ? notFound('Customer', customerId) : notFound('Workset', worksetId);
    },
  };
}
