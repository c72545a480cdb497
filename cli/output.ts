/**
 * What the CLI prints: tables and key–value blocks for people (cli-table3 without borders, so a
 * line greps and cuts like `kubectl get`), the API's JSON for scripts (`--json`), and on stderr
 * the notes and progress lines that must not mix into either.
 */
import Table from 'cli-table3';
import type { Problem } from './exit-codes.ts';

/** Where the CLI writes: the process's streams, or a test's buffers. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Whether stderr is a terminal: the progress line is then rewritten in place. */
  readonly stderrIsTTY?: boolean;
  /** Standard input, opened only by `--sheet -` (each chunk is kept as given, not copied). */
  readonly stdin?: () => AsyncIterable<Uint8Array>;
  /** Whether stdin is a terminal: `--sheet -` then refuses instead of waiting for typing. */
  readonly stdinIsTTY?: boolean;
  /** Replaces global fetch (tests). */
  readonly fetch?: typeof fetch;
  /** Replaces the timer between polls and retries (tests). */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface Column<Row> {
  readonly header: string;
  readonly value: (row: Row) => string | number | boolean | null | undefined;
}

const BORDERLESS = {
  chars: {
    top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
    bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
    left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ',
  },
  style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
};

const cell = (value: string | number | boolean | null | undefined): string => (value === null || value === undefined || value === '' ? '-' : String(value));

function render(table: Table.Table): string {
  return `${table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')}\n`;
}

export interface Output {
  /** Whether scripts asked for JSON (`--json`). */
  readonly json: boolean;
  /** A value as JSON on stdout (one document). */
  data(value: unknown): void;
  /** One JSON document on one line (a stream of them: `--follow --json`). */
  dataLine(value: unknown): void;
  table<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): void;
  /** Label–value lines. */
  fields(pairs: ReadonlyArray<readonly [string, string | number | boolean | null | undefined]>): void;
  text(text: string): void;
  /** A note for the person at the terminal, on stderr (kept out of what a script reads). */
  note(text: string): void;
}

export function output(io: CliIo, json: boolean): Output {
  return {
    json,
    data: (value) => io.stdout(`${JSON.stringify(value, null, 2)}\n`),
    dataLine: (value) => io.stdout(`${JSON.stringify(value)}\n`),
    table(columns, rows) {
      const table = new Table({ ...BORDERLESS, head: columns.map((column) => column.header) });
      for (const row of rows) table.push(columns.map((column) => cell(column.value(row))));
      io.stdout(render(table));
    },
    fields(pairs) {
      const table = new Table(BORDERLESS);
      for (const [label, value] of pairs) table.push([`${label}:`, cell(value)]);
      io.stdout(render(table));
    },
    text: (text) => io.stdout(text.endsWith('\n') ? text : `${text}\n`),
    note: (text) => io.stderr(text.endsWith('\n') ? text : `${text}\n`),
  };
}

/** A problem for a person: status and title, the detail, then each field with its message. */
export function problemLines(problem: Problem): string[] {
  const heading = [problem.status, problem.title].filter((part) => part !== undefined && part !== '').join(' ');
  const lines = [`error: ${heading}${problem.detail ? `: ${problem.detail}` : ''}`];
  const width = Math.max(0, ...(problem.errors ?? []).map((error) => error.field.length));
  for (const error of problem.errors ?? []) lines.push(`  ${error.field.padEnd(width)}  ${error.message}`);
  if (problem.errors_omitted) lines.push(`  … and ${problem.errors_omitted} more (the API lists the first ${problem.errors?.length ?? 0})`);
  return lines;
}
