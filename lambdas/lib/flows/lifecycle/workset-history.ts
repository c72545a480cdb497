/** A workset's full history (the route calls it `logs`). */
import type { HistoryAnswer } from '../../domain/answers.ts';
import type { TableDeps } from '../deps.ts';
import { ownedRecord } from '../ownership.ts';

/** The full history, oldest first, paginated; another customer's workset is "not found". */
export async function worksetHistory(
  deps: TableDeps,
  command: { customerId?: string; worksetId: string; limit: number; nextToken?: string },
): Promise<HistoryAnswer> {
  ownedRecord(await deps.worksets.getWorkset(command.worksetId), command.worksetId, command.customerId);
  const page = await deps.worksets.history(command.worksetId, { limit: command.limit, ...(command.nextToken ? { nextToken: command.nextToken } : {}) });
  return { workset_id: command.worksetId, logs: page.entries, next_token: page.nextToken ?? null };
}
