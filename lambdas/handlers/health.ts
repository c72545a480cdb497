/** GET / — liveness and whether registration can work (no secrets: no bucket names, no keys). */
import { currentSettings } from '../lib/config/current.ts';
import { httpEntry } from '../lib/http/http-entry.ts';
import { json } from '../lib/http/json-responses.ts';
import { NO_INPUT } from '../lib/schemas/contract.ts';

export const handler = httpEntry(NO_INPUT, async () => {
  const { controlBucket, warnings } = currentSettings();
  return json(200, {
    status: 'healthy',
    service: 'daylily-workset-api',
    timestamp: new Date().toISOString(),
    control_bucket_configured: controlBucket.ok,
    ...(controlBucket.ok ? {} : { configuration_problem: controlBucket.problem }),
    ...(warnings.length > 0 ? { configuration_warnings: warnings } : {}),
  });
});
