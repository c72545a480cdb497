/** Parsers for the CLI's option values; each refuses what it cannot read with the option's name (exit 2). */
import { InvalidArgumentError } from 'commander';

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `500ms`, `10s`, `5m`, `2h` (a bare number is seconds) → milliseconds. */
export function duration(raw: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(raw.trim());
  if (!match) throw new InvalidArgumentError('expected a duration such as 500ms, 10s, 5m or 2h.');
  const ms = Number(match[1]) * UNIT_MS[match[2] ?? 's']!;
  if (ms <= 0 || ms > 7 * 24 * 3_600_000) throw new InvalidArgumentError('must be more than 0 and at most 7 days.');
  return Math.round(ms);
}

/** A whole number from `min` to `max`. */
export function wholeNumber(min: number, max: number): (raw: string) => number {
  return (raw) => {
    const value = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}.`);
    }
    return value;
  };
}

/** A positive number (coverage, gigabytes). */
export function positiveNumber(raw: string): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new InvalidArgumentError('expected a number above 0.');
  return value;
}
