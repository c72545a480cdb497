/**
 * The V8 settings the local server runs with (`npm start`, the launcher's shebang, the
 * benchmark's server process). Its live heap is ~20 MiB; with V8's defaults the young generation
 * (16 MiB semi-spaces) and the old generation's growth (up to 4× the live size between major
 * GCs) took the resident size from ~110 to ~195 MiB over 5,000 registrations, though a heap
 * snapshot showed nothing held. Smaller semi-spaces and a 1.3× growth factor keep it flat at
 * about the start-up size, for a few tenths of a CPU millisecond per request. One worker thread
 * for V8 (its optimizing compiler and GC helpers) instead of four: each thread's stack and malloc
 * arena cost ~2 MiB of resident memory, and one request at a time keeps one busy (`npm run bench`:
 * the same CPU per create, 7 MiB less at peak). An interrupt budget 8× V8's (66 KB of bytecode
 * run before a function is considered for its optimizing compiler): a create runs much of its code
 * (the SDK's per-call path, the schemas) a handful of times, and with the default budget V8 spent
 * ~2 ms of each of the first thousand creates compiling it, more than the compiled code saved
 * there (`npm run bench`: server CPU per create 6.3 → 5.2 ms over creates 42–341, 4 MiB less at
 * peak; the hottest code is still optimized, so settled CPU stays within the bench's noise).
 * They must be given at start (V8 sizes the heap and its thread pool then), hence the launcher's
 * command line, not code.
 */
export const LOCAL_SERVER_NODE_FLAGS = ['--max-semi-space-size=2', '--heap-growing-percent=30', '--v8-pool-size=1', '--interrupt-budget=540672'] as const;
