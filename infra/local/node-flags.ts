/**
 * The V8 heap settings the local server runs with (`npm start`, the launcher's shebang, the
 * benchmark's server process). Its live heap is ~20 MiB; with V8's defaults the young generation
 * (16 MiB semi-spaces) and the old generation's growth (up to 4× the live size between major
 * GCs) took the resident size from ~110 to ~195 MiB over 5,000 registrations, though a heap
 * snapshot showed nothing held. Smaller semi-spaces and a 1.3× growth factor keep it flat at
 * about the start-up size, for a few tenths of a CPU millisecond per request. They must be given
 * at start (V8 sizes the heap then), hence the launcher's command line, not code.
 */
export const LOCAL_SERVER_NODE_FLAGS = ['--max-semi-space-size=2', '--heap-growing-percent=30'] as const;
