/**
 * The principal of a request, from what API Gateway's authorizer put into the event: the IAM
 * caller of a SigV4 route, or the claims of a JWT route's verified token. API Gateway delivers
 * every claim as a string, an array claim as one string like `[a b]`.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { AuthSettings } from '../config/settings.ts';
import { ANONYMOUS, type Principal } from '../domain/principal.ts';

/** `[a b]` (API Gateway's rendering), a list, or values separated by spaces or commas. */
export function claimList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  return typeof value === 'string' ? value.replace(/^\[|\]$/g, '').split(/[\s,]+/).filter((item) => item !== '') : [];
}

interface Authorizer {
  readonly iam?: { readonly userArn?: string };
  readonly jwt?: { readonly claims?: Readonly<Record<string, unknown>> };
}

export function principalOf(event: APIGatewayProxyEventV2, auth: Pick<AuthSettings, 'customerClaim'>): Principal {
  const authorizer = (event.requestContext as { authorizer?: Authorizer } | undefined)?.authorizer;
  const arn = authorizer?.iam?.userArn;
  if (arn) return { kind: 'iam', arn };
  const claims = authorizer?.jwt?.claims;
  if (typeof claims?.sub !== 'string') return ANONYMOUS;
  const text = (name: string): string | undefined => (typeof claims[name] === 'string' ? (claims[name] as string) || undefined : undefined);
  return {
    kind: 'token',
    token: {
      subject: claims.sub,
      name: text('username') ?? claims.sub,
      clientId: text('client_id'),
      // Cognito's groups claim, or the usual name of an OIDC issuer's.
      groups: claimList(claims['cognito:groups'] ?? claims.groups),
      customerClaim: auth.customerClaim && text(auth.customerClaim),
    },
  };
}
