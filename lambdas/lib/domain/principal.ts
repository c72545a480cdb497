/**
 * Who is calling, as the entry point's authorizer established it: nobody (a public route, or the
 * local server with authorization off), an IAM principal (a SigV4-signed worker or operator), or
 * the holder of a bearer token API Gateway verified (a lab's user, a lab's machine client, an
 * operator), and what a token says about whom it may act for (http/customer-authorization.ts
 * decides). The history's `actor` names the principal.
 */

/** The group whose members may act for every customer. */
export const OPERATORS_GROUP = 'operators';
/** A user pool group `customer:<id>` makes its members users of that customer. */
export const CUSTOMER_GROUP_PREFIX = 'customer:';

/** What a verified token says about its holder. */
export interface TokenHolder {
  readonly subject: string;
  /** `username` when the token has one, else the subject. */
  readonly name: string;
  readonly clientId?: string;
  readonly groups: readonly string[];
  /** The customer claim's value, when the issuer is configured with one. */
  readonly customerClaim?: string;
}

export type Principal =
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'iam'; readonly arn: string }
  | { readonly kind: 'token'; readonly token: TokenHolder };

export const ANONYMOUS: Principal = { kind: 'anonymous' };

/** A client-credentials token: issued to a client, on behalf of nobody else. */
export const isMachineToken = (token: TokenHolder): boolean => token.subject === token.clientId;

/** The customers a user's token names: its customer claim, or its `customer:` groups. */
export function tokenCustomers(token: TokenHolder): string[] {
  if (token.customerClaim !== undefined) return [token.customerClaim];
  return token.groups.filter((group) => group.startsWith(CUSTOMER_GROUP_PREFIX)).map((group) => group.slice(CUSTOMER_GROUP_PREFIX.length));
}

/** The principal's name for the history, or `fallback` for an anonymous caller (e.g. `customer:<id>`). */
export function actorOf(principal: Principal, fallback: string): string {
  if (principal.kind === 'iam') return principal.arn;
  if (principal.kind === 'anonymous') return fallback;
  const { token } = principal;
  if (token.groups.includes(OPERATORS_GROUP)) return `operator:${token.name}`;
  return isMachineToken(token) ? `client:${token.clientId}` : `user:${token.name}`;
}
