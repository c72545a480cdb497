/**
 * The wiring of registration: the registration part of the worksets adapter, the customers'
 * settings (cached), the control bucket on S3 (and the staged sheets there), where control folders go, and the random source of
 * new workset ids. Built once per cold start.
 */
import { randomBytes } from 'node:crypto';
import { currentCoreSettings } from '../config/current.ts';
import type { RegistrationDeps } from '../flows/deps.ts';
import { dynamoRegistrationStore } from '../stores/dynamodb/dynamo-worksets.ts';
import { s3ControlObjectWrites } from './control-bucket-store.ts';
import { customerSettings } from './customer-deps.ts';
import { stagedSheetDeps } from './sheet-upload-store.ts';
import { dynamoContext } from './table-deps.ts';

let deps: RegistrationDeps | undefined;

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
