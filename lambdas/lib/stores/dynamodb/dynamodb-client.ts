/**
 * The process's DynamoDB document client, created once per cold start. Endpoints come from the
 * SDK's standard variables (AWS_ENDPOINT_URL_DYNAMODB), so the same code runs against DynamoDB
 * Local. Tests and the benchmark attach middleware to this instance to inject faults or count calls.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { withoutUserAgent } from '../lean-clients.ts';

let client: DynamoDBDocumentClient | undefined;

export function documentClient(region: string): DynamoDBDocumentClient {
  client ??= withoutUserAgent(
    DynamoDBDocumentClient.from(new DynamoDBClient({ region }), {
      marshallOptions: { removeUndefinedValues: true },
    }),
  );
  return client;
}
