/**
 * The wiring of the settle pass (the operator route, the local `settle` command): the
 * registration part of the worksets adapter with the state listing and the sentinel flag, and the
 * control bucket on S3. Built once per process.
 */
import { currentCoreSettings } from '../config/current.ts';
import type { SettleDeps } from '../flows/deps.ts';
import { dynamoSettleStore } from '../stores/dynamodb/dynamo-worksets.ts';
import { s3ControlBucket } from './control-bucket-store.ts';
import { dynamoContext } from './table-deps.ts';

let deps: SettleDeps | undefined;

export function settleDeps(): SettleDeps {
  if (!deps) {
    const settings = currentCoreSettings();
    deps = { worksets: dynamoSettleStore(dynamoContext(settings)), controlBucket: s3ControlBucket(settings), now: () => new Date() };
  }
  return deps;
}
