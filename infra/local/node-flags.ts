/**
 * The V8 settings the local server runs with (`npm start`, the launcher, the benchmark's server
 * process).
 *
 * On the command line, for every supported Node: its live heap is ~20 MiB; with V8's defaults the
 * young generation (16 MiB semi-spaces) and the old generation's growth (up to 4× the live size
 * between major GCs) took the resident size from ~110 to ~195 MiB over 5,000 registrations, though
 * a heap snapshot showed nothing held. Smaller semi-spaces and a 1.3× growth factor keep it flat at
 * about the start-up size, for a few tenths of a CPU millisecond per request. One worker thread
 * for V8 (its optimizing compiler and GC helpers) instead of four: each thread's stack and malloc
 * arena cost ~2 MiB of resident memory, and one request at a time keeps one busy (`npm run bench`:
 * the same CPU per create, 7 MiB less at peak). These must be given at start (V8 sizes the heap
 * and its thread pool then), hence the launcher's command line, not code.
 */
import { setFlagsFromString } from 'node:v8';

export const LOCAL_SERVER_NODE_FLAGS = ['--max-semi-space-size=2', '--heap-growing-percent=30', '--v8-pool-size=1'] as const;

/**
 * On Node 20 only, set at run time: an interrupt budget 8× V8 11's default. V8 11 considers a
 * function for its optimizing compiler after every 66 KB of its bytecode has run; a create runs
 * much of its code (the SDK's per-call path, the schemas) a handful of times, and V8 spent ~2 ms of
 * each of the first thousand creates compiling it, more than the compiled code saved there
 * (creates 42–341 after start, four runs each way, interleaved: server CPU per create 5.2–6.0 ms
 * against 5.9–6.8 without, 4 MiB less at peak; the hottest code is still optimized, so CPU once V8
 * has settled stays within the bench's noise).
 * V8 12 and later (Node 22, 24) count invocations instead (optimizing after 400 and 3,000 calls),
 * which is already about as late, and have no such flag: Node refuses it on their command line,
 * hence code. V8 reads the budget whenever it resets a function's, so setting it before the
 * server's modules run covers them.
 */
export const NODE_20_TIERING_FLAG = '--interrupt-budget=540672';

/** Applies NODE_20_TIERING_FLAG when V8 is version 11 (Node 20); answers whether it did. */
export function tuneTiering(v8Version: string = process.versions.v8, set: (flags: string) => void = setFlagsFromString): boolean {
  if (Number.parseInt(v8Version, 10) !== 11) return false;
  set(NODE_20_TIERING_FLAG);
  return true;
}
