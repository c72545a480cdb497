/**
 * Text every file of a control folder carries unchanged: what the request schemas accept in
 * names and TSV cells, and what the renderers check once more before writing.
 */

/** The C0 and C1 control characters (tab, CR, LF, NUL, vertical tab, form feed, U+0085 NEL…) and DEL. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** The Unicode line and paragraph separators: line breaks to many readers. */
const LINE_SEPARATOR = /[\u2028\u2029]/;
/** A UTF-16 surrogate without its pair has no UTF-8 form: a file would carry U+FFFD instead. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function hasControlCharacter(value: string): boolean {
  return CONTROL.test(value);
}

export function hasLineSeparator(value: string): boolean {
  return LINE_SEPARATOR.test(value);
}

/** Whether `value` has a surrogate without its pair (which neither UTF-8 nor DynamoDB can store). */
export function hasLoneSurrogate(value: string): boolean {
  return LONE_SURROGATE.test(value);
}

/** No control characters or line separators, no unpaired surrogates. */
export function isPlainText(value: string): boolean {
  return !hasControlCharacter(value) && !hasLineSeparator(value) && !hasLoneSurrogate(value);
}

/**
 * A cell of `stage_samples.tsv`, which the stager reads with Python's csv module: plain text that
 * does not start with `"` (csv would take it as a quoted cell and run it on into the next rows).
 */
export function isTsvCell(value: string): boolean {
  return isPlainText(value) && !value.startsWith('"');
}
