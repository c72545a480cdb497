/** The WorksetStore a handler uses: the process's client and the configured table names. */
import { currentSettings } from '../../config/current.ts';
import type { WorksetStore } from '../ports.ts';
import { documentClient } from './client.ts';
import { DynamoWorksetStore } from './workset-store.ts';

let store: WorksetStore | undefined;

export function defaultWorksetStore(): WorksetStore {
  if (!store) {
    const settings = currentSettings();
    store = new DynamoWorksetStore(documentClient(settings.region), {
      worksets: settings.worksetTable,
      customers: settings.customerTable,
      idempotency: settings.idempotencyTable,
    });
  }
  return store;
}
