/**
 * The wiring of registration: the registration part of the worksets adapter, the customers'
 * settings (cached), the control bucket on S3 (and the staged sheets there), where control folders go, and the random source of
 * new workset ids. Built once per cold start.
 */
import { randomBytes } from 'node:crypto';
import { currentCoreSettings } from '../config/current.ts';
import { tableNames } from '../config/settings.ts';
import { primeDocumentClient } from '../stores/dynamodb/dynamodb-client.ts';
import { primeS3Client } from '../stores/s3/s3-client.ts';
import type { RegistrationDeps } from '../flows/deps.ts';
import { dynamoRegistrationStore } from '../stores/dynamodb/dynamo-worksets.ts';
import { s3ControlObjectWrites } from './control-bucket-store.ts';
import { customerSettings } from './customer-deps.ts';
import { stagedSheetDeps } from './sheet-upload-store.ts';
import { dynamoContext } from './table-deps.ts';

let deps: RegistrationDeps | undefined;

/**
 * On Lambda, init does what the first invocation would otherwise pay for: the dependencies, and a
 * dry run of both calls a registration makes (a transaction, an object put) through the clients,
 * so credentials, endpoint rules, signing and serializers are loaded and compiled. Nothing is sent.
 * Not elsewhere (the tests and the local server build their settings first).
 */
export async function primeRegistration(): Promise<void> {
  const settings = currentCoreSettings();
  registrationDeps();
  const bucket = settings.controlBucket.ok ? settings.controlBucket.bucket : undefined;
  await Promise.all([primeDocumentClient(settings.region, tableNames(settings).worksets), bucket && primeS3Client(settings.region, bucket)]);
}
if (process.env.AWS_LAMBDA_FUNCTION_NAME) {
  // A misconfigured function answers its first request with the problem, as without priming.
  await primeRegistration().catch(() => undefined);
}

export function registrationDeps(): RegistrationDeps {
  if (!deps) {
    const settings = currentCoreSettings();
    deps = {
      ...stagedSheetDeps(),
      worksets: dynamoRegistrationStore(dynamoContext(settings)),
      customers: customerSettings(),
      controlBucket: s3ControlObjectWrites(settings),
      controlLocation: settings.controlBucket,
      now: () => new Date(),
      randomHex: () => randomBytes(4).toString('hex'),
    };
  }
  return deps;
}
