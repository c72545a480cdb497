/** The principal of a request, from what API Gateway's authorizer put into the event. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ANONYMOUS, type Principal } from '../domain/principal.ts';

export function principalOf(event: APIGatewayProxyEventV2): Principal {
  const context = event.requestContext as { authorizer?: { iam?: { userArn?: string } } } | undefined;
  const arn = context?.authorizer?.iam?.userArn;
  return arn ? { kind: 'iam', arn } : ANONYMOUS;
}
