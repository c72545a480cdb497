/** Small helpers for the benchmarks' figures. */

/** Nearest-rank percentile of `values` (p in 0..100). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** Name, value, unit, target (as text, for the reader). */
export type Figures = Array<[string, number, string, string?]>;

export function printFigures(title: string, figures: Figures): void {
  console.log(`\n${title}`);
  for (const [name, value, unit, target] of figures) {
    const digits = unit === 'calls' || unit === '×' ? 2 : 1;
    console.log(`  ${name.padEnd(44)} ${value.toFixed(digits).padStart(9)} ${unit.padEnd(10)} ${target ? `target ${target}` : ''}`);
  }
}
