/**
 * Who is calling, as the entry point's authorizer established it: nobody (a public route, or the
 * local server without authorization), or an IAM principal (a SigV4-signed worker, operator or
 * lab system). The history's `actor` names the principal.
 */
export type Principal = { readonly kind: 'anonymous' } | { readonly kind: 'iam'; readonly arn: string };

export const ANONYMOUS: Principal = { kind: 'anonymous' };

/** The principal's name for the history, or `fallback` for an anonymous caller (e.g. `customer:<id>`). */
export function actorOf(principal: Principal, fallback: string): string {
  return principal.kind === 'iam' ? principal.arn : fallback;
}
