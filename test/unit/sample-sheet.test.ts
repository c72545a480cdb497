/** Sample sheets as labs keep them (domain/sample-sheet.ts): TSV or CSV with a header, line-numbered refusals. */
import { describe, expect, it } from 'vitest';
import { parseSampleSheet } from '../../lambdas/lib/domain/sample-sheet.ts';

describe('reading a sample sheet', () => {
  it('reads a TSV: the header names the columns, each later line is a row with its line number', () => {
    expect(parseSampleSheet('SAMPLE_ID\tR1_FQ\tR2_FQ\nS1\ts3://b/1.fq\ts3://b/2.fq\nS2\ta.fq\t\n')).toEqual({
      ok: true,
      header: ['SAMPLE_ID', 'R1_FQ', 'R2_FQ'],
      rows: [
        { line: 2, cells: ['S1', 's3://b/1.fq', 's3://b/2.fq'] },
        { line: 3, cells: ['S2', 'a.fq', ''] },
      ],
    });
  });

  it('reads a CSV with RFC 4180 quoting: commas and doubled quotes inside quoted cells', () => {
    expect(parseSampleSheet('sample_id,r1,lib_prep\nS1,a.fq,"x, y"\n"S2",b.fq,"he said ""hi"""\n')).toMatchObject({
      ok: true,
      rows: [
        { line: 2, cells: ['S1', 'a.fq', 'x, y'] },
        { line: 3, cells: ['S2', 'b.fq', 'he said "hi"'] },
      ],
    });
  });

  it('accepts a byte-order mark, CRLF line endings, blank lines, and missing trailing cells', () => {
    expect(parseSampleSheet('\uFEFFsample_id,r1,r2\r\n\r\nS1,a.fq\r\n\r\n')).toEqual({ ok: true, header: ['sample_id', 'r1', 'r2'], rows: [{ line: 3, cells: ['S1', 'a.fq', ''] }] });
  });

  it('takes tabs over commas: a TSV cell may hold a comma', () => {
    expect(parseSampleSheet('sample_id\tlib_prep\nS1\ta,b\n')).toMatchObject({ ok: true, rows: [{ cells: ['S1', 'a,b'] }] });
  });

  it('keeps quotes in TSV cells as they are (stage_samples.tsv has no quoting)', () => {
    expect(parseSampleSheet('sample_id\tr1\nS1\t"a.fq"\n')).toMatchObject({ ok: true, rows: [{ cells: ['S1', '"a.fq"'] }] });
  });

  it.each([
    ['a quoted cell that does not end on its line', 'sample_id,r1\n"S1,a.fq\nS2,b.fq\n', 2],
    ['a quote inside an unquoted cell', 'sample_id,r1\nS"1,a.fq\n', 2],
    ['text after a quoted cell', 'sample_id,r1\n"S1"x,a.fq\n', 2],
    ['more cells than the header', 'sample_id,r1\nS1,a.fq\nS2,b.fq,c.fq\n', 3],
    ['a column named twice (in any case)', '\nsample_id,LANE,lane\n', 2],
    ['no header at all', '\n \n', 1],
  ])('refuses %s, naming its line', (_what, text, line) => {
    expect(parseSampleSheet(text)).toMatchObject({ ok: false, line, problem: expect.any(String) });
  });
});
