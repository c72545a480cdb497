/**
 * The wiring of the reconciler: the whole worksets adapter (it settles, recovers, syncs and
 * recounts), the control bucket on S3 and the folders it scans, and EMF metrics on standard
 * output. Built once per cold start; `reconcilerDepsFrom` builds one with another clock or sink
 * (the local command, tests).
 */
import { currentSettings } from '../config/current.ts';
import type { Settings } from '../config/settings.ts';
import type { ReconcilerDeps } from '../flows/deps.ts';
import { emfToStdout, type MetricsSink } from '../metrics.ts';
import { dynamoWorksetStore } from '../stores/dynamodb/dynamo-worksets.ts';
import { s3ControlBucket } from './control-bucket-store.ts';
import { customerSettings } from './customer-deps.ts';
import { dynamoContext } from './table-deps.ts';

export function reconcilerDepsFrom(settings: Settings, options: { readonly now?: () => Date; readonly metrics?: MetricsSink } = {}): ReconcilerDeps {
  return {
    worksets: dynamoWorksetStore(dynamoContext(settings)),
    controlBucket: s3ControlBucket(settings),
    customers: customerSettings(),
    controlLocation: settings.controlBucket,
    archivePrefix: settings.archivePrefix,
    defaultLeaseSeconds: settings.defaultLeaseSeconds,
    now: options.now ?? (() => new Date()),
    metrics: options.metrics ?? emfToStdout,
  };
}

let deps: ReconcilerDeps | undefined;

export function reconcilerDeps(): ReconcilerDeps {
  deps ??= reconcilerDepsFrom(currentSettings());
  return deps;
}
