/** The lifecycle dependencies of a running function: the process's clients and settings. */
import { currentSettings } from '../../config/current.ts';
import { documentClient } from '../../stores/dynamodb/client.ts';
import { DynamoLifecycleStore } from '../../stores/dynamodb/lifecycle-store.ts';
import { defaultControlBucketStore } from '../../stores/s3/default-store.ts';
import type { LifecycleDeps } from './deps.ts';

let deps: LifecycleDeps | undefined;

export function defaultLifecycleDeps(): LifecycleDeps {
  if (!deps) {
    const settings = currentSettings();
    deps = {
      store: new DynamoLifecycleStore(documentClient(settings.region), settings.worksetTable),
      folders: defaultControlBucketStore(),
      archivePrefix: settings.archivePrefix,
      defaultLeaseSeconds: settings.defaultLeaseSeconds,
      now: () => new Date(),
    };
  }
  return deps;
}
