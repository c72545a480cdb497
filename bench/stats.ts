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

/** Whether `value` meets a target written `≤ 15`, `≥ 150` or `< 1`; undefined for a target it cannot read. */
export function meets(value: number, target: string): boolean | undefined {
  const match = /^\s*(≤|<=|<|≥|>=|>)\s*(-?[\d.]+)/.exec(target);
  if (!match) return undefined;
  const bound = Number(match[2]);
  switch (match[1]) {
    case '≤':
    case '<=':
      return value <= bound;
    case '<':
      return value < bound;
    case '≥':
    case '>=':
      return value >= bound;
    default:
      return value > bound;
  }
}

/** One line per figure: the value, its unit, and with a target the target and a verdict. */
export function printFigures(title: string, figures: Figures): void {
  console.log(`\n${title}`);
  for (const [name, value, unit, target] of figures) {
    const digits = unit === 'calls' || unit === '×' ? 2 : 1;
    const verdict = target === undefined ? '' : meets(value, target) === undefined ? '' : meets(value, target) ? '  met' : '  NOT MET';
    console.log(`  ${name.padEnd(48)} ${value.toFixed(digits).padStart(9)} ${unit.padEnd(10)} ${target ? `target ${target}${verdict}` : ''}`);
  }
}
