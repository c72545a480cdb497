/** Registration's dependencies in a running function: the process's stores, clock and ids. */
import { randomBytes } from 'node:crypto';
import { currentSettings } from '../../config/current.ts';
import { defaultWorksetStore } from '../../stores/dynamodb/default-store.ts';
import { defaultControlBucketStore } from '../../stores/s3/default-store.ts';
import type { RegistrationDeps } from './register-workset.ts';

let deps: RegistrationDeps | undefined;

export function defaultRegistrationDeps(): RegistrationDeps {
  deps ??= {
    worksets: defaultWorksetStore(),
    controlBucket: defaultControlBucketStore(),
    control: currentSettings().controlBucket,
    now: () => new Date(),
    randomHex: () => randomBytes(4).toString('hex'),
  };
  return deps;
}
