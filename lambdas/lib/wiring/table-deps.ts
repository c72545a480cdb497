/**
 * The wiring of a function without control-bucket access: the process's DynamoDB client, the
 * reading half of the worksets adapter, the configured lease and the clock. Built once per cold
 * start. Its bundle carries neither the S3 client nor the YAML renderers (the bundle tests check).
 */
import { currentSettings } from '../config/current.ts';
import { tableNames, type CoreSettings } from '../config/settings.ts';
import type { TableDeps } from '../flows/deps.ts';
import { dynamoWorksetReads, type DynamoContext } from '../stores/dynamodb/dynamo-worksets.ts';
import { documentClient } from '../stores/dynamodb/dynamodb-client.ts';

/** The worksets adapter's context: the process's client and the configured table names. */
export function dynamoContext(settings: CoreSettings): DynamoContext {
  return { db: documentClient(settings.region), tables: tableNames(settings), random: Math.random };
}

let deps: TableDeps | undefined;

export function tableDeps(): TableDeps {
  if (!deps) {
    const settings = currentSettings();
    deps = { worksets: dynamoWorksetReads(dynamoContext(settings)), defaultLeaseSeconds: settings.defaultLeaseSeconds, now: () => new Date() };
  }
  return deps;
}
