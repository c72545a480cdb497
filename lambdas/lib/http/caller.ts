/** Who is calling, for audit entries: the SigV4 principal behind API Gateway's IAM authorizer. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

export function callerOf(event: APIGatewayProxyEventV2, fallback: string): string {
  const context = event.requestContext as { authorizer?: { iam?: { userArn?: string } } };
  return context.authorizer?.iam?.userArn ?? fallback;
}
