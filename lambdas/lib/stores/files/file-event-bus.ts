/**
 * The local event bus: each event appended as one JSON line to `{directory}/{day}.jsonl` (the
 * day of the change, UTC), in the shape EventBridge hands a rule's target
 * (domain/state-change-event.ts StateChangeEvent). `npx daylily-workset-api events tail` reads them.
 */
import { randomUUID } from 'node:crypto';
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { eventTime, STATE_CHANGE_DETAIL_TYPE, STATE_CHANGE_SOURCE, type StateChangeEvent } from '../../domain/state-change-event.ts';
import type { EventBus } from '../../ports/state-change-delivery.ts';

/** The account the local events carry, as DynamoDB Local's ARNs do. */
const LOCAL_ACCOUNT = '000000000000';

export function fileEventBus(directory: string, region: string): EventBus {
  return {
    async publish(details) {
      await mkdir(directory, { recursive: true });
      const byDay = new Map<string, string[]>();
      for (const detail of details) {
        const event: StateChangeEvent = {
          version: '0',
          id: randomUUID(),
          'detail-type': STATE_CHANGE_DETAIL_TYPE,
          source: STATE_CHANGE_SOURCE,
          account: LOCAL_ACCOUNT,
          time: eventTime(detail.time),
          region,
          resources: [],
          detail,
        };
        const day = detail.time.slice(0, 10);
        byDay.set(day, [...(byDay.get(day) ?? []), JSON.stringify(event)]);
      }
      // One append per file: the lines of a batch land together, in order.
      for (const [day, lines] of byDay) await appendFile(path.join(directory, `${day}.jsonl`), `${lines.join('\n')}\n`);
      return details.map(() => ({ ok: true as const }));
    },
  };
}
