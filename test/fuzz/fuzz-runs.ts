/**
 * How long a fuzz property runs: `FUZZ_RUNS` runs per property (default 30, which keeps the
 * suite's addition near half a minute; `npm run fuzz` sets 200), `FUZZ_SEED` to replay the seed
 * a failure printed, `FUZZ_STATS=1` to print the statuses each route answered.
 */
import fc from 'fast-check';

const positive = (text: string | undefined): number | undefined => {
  const value = Number(text);
  return Number.isInteger(value) && value > 0 ? value : undefined;
};

export const FUZZ_RUNS = positive(process.env.FUZZ_RUNS) ?? 30;

/** Runs per round: requests consume the seeded state (cancel, delete, claim), so each round seeds its own. */
export const RUNS_PER_ROUND = 25;

/** A round's time limit; a test's timeout must exceed its rounds' (fuzzTestTimeoutMs). */
export const fuzzTimeLimitMs = (numRuns: number): number => 45_000 + numRuns * 2_000;
export const fuzzTestTimeoutMs = (numRuns: number): number => Math.ceil(numRuns / RUNS_PER_ROUND) * (fuzzTimeLimitMs(RUNS_PER_ROUND) + 5_000) + 30_000;

/**
 * Runs `numRuns` runs in rounds of RUNS_PER_ROUND, `round(index, runs)` seeding fresh state and
 * asserting the property on it.
 */
export async function inRounds(numRuns: number, round: (index: number, runs: number) => Promise<void>): Promise<void> {
  for (let index = 0; index * RUNS_PER_ROUND < numRuns; index++) await round(index, Math.min(RUNS_PER_ROUND, numRuns - index * RUNS_PER_ROUND));
}

/**
 * fast-check's parameters for a round. With FUZZ_SEED, round 0 runs that seed (the one a failure
 * printed: the same requests on fresh state), round n that seed + n.
 */
export function fuzzParameters<T>(numRuns: number, round = 0): fc.Parameters<T> {
  const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED) + round;
  return {
    numRuns,
    ...(seed === undefined || Number.isNaN(seed) ? {} : { seed }),
    // Shrinking replays requests against the emulators: bounded, so a failure is reported before
    // the test's timeout. A run cut short before its numRuns is a failure, never a silent pass.
    plugins: [fc.interruptAfterTimeLimit(fuzzTimeLimitMs(numRuns), { failOnInterrupt: true })],
  };
}
