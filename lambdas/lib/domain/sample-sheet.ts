/**
 * A sample sheet as labs keep them: a header line naming the columns, then one sample per line,
 * separated by tabs (a `stage_samples.tsv` / analysis template, or a minimal `sample_id r1 r2`
 * sheet) or by commas (CSV as spreadsheets export it: RFC 4180 quoting, `""` for a quote).
 *
 * A small parser of our own rather than a CSV package: none is installed, and the registration
 * bundle has a few KB to spare. What it does not read is refused with the line number, never
 * guessed: a quoted cell spanning lines (no cell of stage_samples.tsv may hold a line break), a
 * stray quote in a CSV cell, more cells than the header has, a column named twice (in any case). A byte-order mark, CRLF line endings
 * and blank lines are accepted; missing trailing cells are empty. TSV cells are never unquoted
 * (stage_samples.tsv has no quoting).
 */

export interface SheetRow {
  /** 1-based line number in the sheet. */
  readonly line: number;
  /** One cell per header column, in header order. */
  readonly cells: readonly string[];
}

export type ParsedSheet =
  | { readonly ok: true; readonly header: readonly string[]; readonly rows: readonly SheetRow[] }
  | { readonly ok: false; readonly line: number; readonly problem: string };

/** One CSV cell and the comma after it (or the end of the line): quoted with `""` inside, or without quotes at all. */
const CSV_CELL = /("(?:[^"]|"")*"|[^",]*)(,|$)/y;

/** A CSV line's cells, or undefined when it is not one. */
function csvCells(line: string): string[] | undefined {
  const cells: string[] = [];
  CSV_CELL.lastIndex = 0;
  for (;;) {
    const match = CSV_CELL.exec(line);
    if (!match) return undefined;
    const [, cell = '', comma] = match;
    cells.push(cell.startsWith('"') ? cell.slice(1, -1).replaceAll('""', '"') : cell);
    if (!comma) return CSV_CELL.lastIndex === line.length ? cells : undefined;
  }
}

export function parseSampleSheet(text: string): ParsedSheet {
  let header: string[] | undefined;
  let csv = false;
  const rows: SheetRow[] = [];
  for (const [index, raw] of text.replace(/^\uFEFF/, '').split('\n').entries()) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const number = index + 1;
    if (!header) csv = !line.includes('\t') && line.includes(',');
    const cells = csv ? csvCells(line) : line.split('\t');
    if (!cells) return { ok: false, line: number, problem: 'is not CSV: quote a cell holding a comma or a quote, and double its quotes' };
    if (!header) {
      header = cells.map((cell) => cell.trim());
      if (new Set(header.map((name) => name.toLowerCase())).size < header.length) return { ok: false, line: number, problem: 'names a column twice' };
    } else if (cells.length > header.length) {
      return { ok: false, line: number, problem: `has ${cells.length} cells; the header names ${header.length} columns` };
    } else rows.push({ line: number, cells: header.map((_name, column) => cells[column] ?? '') });
  }
  return header ? { ok: true, header, rows } : { ok: false, line: 1, problem: 'needs a header line naming its columns' };
}
