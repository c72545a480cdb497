/** The lifecycle dependencies of a running function: the read dependencies plus the control bucket. */
import { currentSettings } from '../../config/current.ts';
import { defaultControlBucketStore } from '../../stores/s3/default-store.ts';
import { defaultLifecycleReadDeps } from './default-read-deps.ts';
import type { LifecycleDeps } from './deps.ts';

let deps: LifecycleDeps | undefined;

export function defaultLifecycleDeps(): LifecycleDeps {
  deps ??= {
    ...defaultLifecycleReadDeps(),
    folders: defaultControlBucketStore(),
    archivePrefix: currentSettings().archivePrefix,
  };
  return deps;
}
