/**
 * The process's DynamoDB document client, created once per cold start. Endpoints come from the
 * SDK's standard variables (AWS_ENDPOINT_URL_DYNAMODB), so the same code runs against DynamoDB
 * Local. Tests and the benchmark attach middleware to this instance to inject faults or count calls.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { cachingDocumentClient, dryRun, leanCalls } from '../lean-clients.ts';

let client: DynamoDBDocumentClient | undefined;

export function documentClient(region: string): DynamoDBDocumentClient {
  client ??= cachingDocumentClient(
    leanCalls(
      DynamoDBDocumentClient.from(new DynamoDBClient({ region }), {
        marshallOptions: { removeUndefinedValues: true },
      }),
    ),
  );
  return client;
}

/** A dry run of a transaction (nothing is sent): see lean-clients.ts. */
export function primeDocumentClient(region: string, table: string): Promise<void> {
  return dryRun(documentClient(region), new TransactWriteCommand({ TransactItems: [{ Put: { TableName: table, Item: { workset_id: 'dry-run' } } }] }));
}
