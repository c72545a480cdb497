/**
 * The API under benchmark, in its own process so its CPU time and memory are its own: the local
 * server with the entry-point table's HTTP handlers, plus counters of every AWS call the handlers make
 * (middleware on the very clients the handlers use). Talks to the runner over IPC.
 */
import { currentSettings } from '../lambdas/lib/config/current.ts';
import { documentClient } from '../lambdas/lib/stores/dynamodb/dynamodb-client.ts';
import { s3Client } from '../lambdas/lib/stores/s3/s3-client.ts';
import { ENTRY_POINTS, isHttpEntry } from '../infra/entry-points.ts';
import { startLocalServer } from '../infra/local/server.ts';

const calls: Record<string, number> = {};

function count(service: string, stack: { add: Function }): void {
  stack.add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      const key = `${service}:${context.commandName ?? 'unknown'}`;
      calls[key] = (calls[key] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'bench-call-counter' },
  );
}

const { region } = currentSettings();
count('dynamodb', documentClient(region).middlewareStack);
count('s3', s3Client(region).middlewareStack);

// The API's routes only: the stream consumer and the reconciler would spend this process's CPU on
// work no request waits for (the reconciler has a benchmark of its own).
const server = await startLocalServer({ port: 0, entries: ENTRY_POINTS.filter(isHttpEntry) });
process.send?.({ type: 'ready', url: server.url });

process.on('message', (message: { type: string }) => {
  if (message.type === 'stats') {
    const cpu = process.cpuUsage();
    process.send?.({
      type: 'stats',
      cpuMs: (cpu.user + cpu.system) / 1000,
      systemCpuMs: cpu.system / 1000,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
      calls: { ...calls },
    });
  } else if (message.type === 'stop') {
    void server.close(2_000).then(() => process.exit(0));
  }
});
