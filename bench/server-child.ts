/**
 * The API under benchmark, in its own process so its CPU time and memory are its own: the local
 * server with the entry-point table's HTTP handlers, plus counters of every AWS call the handlers make
 * (middleware on the very clients the handlers use). Talks to the runner over IPC.
 */
import { Session } from 'node:inspector/promises';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { currentSettings } from '../lambdas/lib/config/current.ts';
import { documentClient } from '../lambdas/lib/stores/dynamodb/dynamodb-client.ts';
import { s3Client } from '../lambdas/lib/stores/s3/s3-client.ts';
import { ENTRY_POINTS, isHttpEntry } from '../infra/entry-points.ts';
import { tuneTiering } from '../infra/local/node-flags.ts';
import { startLocalServer } from '../infra/local/server.ts';

// As the launcher does, before the handlers load (infra/local/node-flags.ts).
tuneTiering();

const calls: Record<string, number> = {};

/**
 * Wall time during which at least one call is in flight, per service and for any service
 * (calls in parallel count once): where a request's milliseconds go.
 */
const busy = new Map<string, { inFlight: number; since: number; ms: number }>();
function enter(key: string): void {
  const entry = busy.get(key) ?? { inFlight: 0, since: 0, ms: 0 };
  if (entry.inFlight++ === 0) entry.since = performance.now();
  busy.set(key, entry);
}
function leave(key: string): void {
  const entry = busy.get(key)!;
  if (--entry.inFlight === 0) entry.ms += performance.now() - entry.since;
}

/** Counts and times each call, synchronously (an async wrapper would add its own CPU to what is measured). */
function count(service: string, stack: { add: Function }): void {
  stack.add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) => {
      const key = `${service}:${context.commandName ?? 'unknown'}`;
      calls[key] = (calls[key] ?? 0) + 1;
      enter(service);
      enter('aws');
      const done = () => {
        leave(service);
        leave('aws');
      };
      const result = next(args);
      result.then(done, done);
      return result;
    },
    { step: 'initialize', name: 'bench-call-counter' },
  );
}

/**
 * CPU ms of the main thread (the event loop: handlers, the SDK, the HTTP parsers), from Linux's
 * /proc; the rest of the process's CPU is V8's helper threads (the optimizing compiler, GC).
 * Undefined where there is no /proc.
 */
function mainThreadCpuMs(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime, in clock ticks of 10 ms (USER_HZ).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

const { region } = currentSettings();
count('dynamodb', documentClient(region).middlewareStack);
count('s3', s3Client(region).middlewareStack);

// The API's routes only: the stream consumer and the reconciler would spend this process's CPU on
// work no request waits for (the reconciler has a benchmark of its own).
// As `npm start` on its embedded emulators: warmed before it listens.
const server = await startLocalServer({ port: 0, entries: ENTRY_POINTS.filter(isHttpEntry), warmUp: true });
process.send?.({ type: 'ready', url: server.url });

/** The CPU profiler over one phase of the benchmark (BENCH_PROFILE_DIR; start-up is not in it). */
let profiler: Session | undefined;

process.on('message', async (message: { type: string; dir?: string }) => {
  if (message.type === 'stats') {
    const cpu = process.cpuUsage();
    process.send?.({
      type: 'stats',
      cpuMs: (cpu.user + cpu.system) / 1000,
      systemCpuMs: cpu.system / 1000,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
      memory: process.memoryUsage(),
      mainThreadCpuMs: mainThreadCpuMs(),
      calls: { ...calls },
      busyMs: Object.fromEntries([...busy].map(([key, entry]) => [key, entry.ms + (entry.inFlight > 0 ? performance.now() - entry.since : 0)])),
    });
  } else if (message.type === 'heap-snapshot') {
    // What holds the server's memory (open the file in Chrome DevTools' Memory tab).
    process.send?.({ type: 'heap-snapshot', file: writeHeapSnapshot() });
  } else if (message.type === 'profile-start') {
    profiler = new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
    // 0.1 ms: a create is ~5 ms of CPU, too few samples at the default 1 ms.
    await profiler.post('Profiler.setSamplingInterval', { interval: 100 });
    await profiler.post('Profiler.start');
    process.send?.({ type: 'profile-started' });
  } else if (message.type === 'profile-stop') {
    const { profile } = await profiler!.post('Profiler.stop');
    profiler!.disconnect();
    const file = join(message.dir!, `server-${Date.now()}.cpuprofile`);
    await mkdir(message.dir!, { recursive: true });
    await writeFile(file, JSON.stringify(profile));
    process.send?.({ type: 'profile-stopped', file });
  } else if (message.type === 'stop') {
    void server.close(2_000).then(() => process.exit(0));
  }
});
