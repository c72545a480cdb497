/**
 * The wiring of the lifecycle's writers (functions with control-bucket access): the lifecycle
 * part of the worksets adapter, the customers' settings (cached: for changes that take a slot),
 * the control bucket on S3, and where archived folders go. Built once per cold start.
 */
import { currentSettings } from '../config/current.ts';
import type { ControlBucketDeps } from '../flows/deps.ts';
import { dynamoWorksetLifecycle } from '../stores/dynamodb/dynamo-worksets.ts';
import { s3ControlBucket } from './control-bucket-store.ts';
import { customerSettings } from './customer-deps.ts';
import { dynamoContext } from './table-deps.ts';

let deps: ControlBucketDeps | undefined;

export function controlBucketDeps(): ControlBucketDeps {
  if (!deps) {
    const settings = currentSettings();
    deps = {
      worksets: dynamoWorksetLifecycle(dynamoContext(settings)),
      controlBucket: s3ControlBucket(settings),
      customers: customerSettings(),
      archivePrefix: settings.archivePrefix,
      defaultLeaseSeconds: settings.defaultLeaseSeconds,
      now: () => new Date(),
    };
  }
  return deps;
}
