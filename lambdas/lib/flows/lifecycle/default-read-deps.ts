/**
 * The lifecycle dependencies of a function that only reads or writes DynamoDB (no control-bucket
 * access, so its bundle must not carry the S3 client).
 */
import { currentSettings } from '../../config/current.ts';
import { documentClient } from '../../stores/dynamodb/client.ts';
import { DynamoLifecycleStore } from '../../stores/dynamodb/lifecycle-store.ts';
import type { LifecycleReadDeps } from './deps.ts';

let deps: LifecycleReadDeps | undefined;

export function defaultLifecycleReadDeps(): LifecycleReadDeps {
  if (!deps) {
    const settings = currentSettings();
    deps = {
      store: new DynamoLifecycleStore(documentClient(settings.region), settings.worksetTable),
      defaultLeaseSeconds: settings.defaultLeaseSeconds,
      now: () => new Date(),
    };
  }
  return deps;
}
