/** Turns valibot issues into InvalidInputError with per-field messages. */
import * as v from 'valibot';
import { InvalidInputError, type FieldError } from '../errors.ts';

/**
 * How much of a client's own text an error quotes (an unknown key, a value valibot's message
 * repeats): an answer must not echo a megabyte of input, twenty times over. Even with every
 * character escaped as `\uXXXX`, MAX_PROBLEM_ERRORS errors stay well under 16 KB.
 */
export const MAX_QUOTED_CHARACTERS = 40;

function quoted(text: string): string {
  if (text.length <= MAX_QUOTED_CHARACTERS) return text;
  // Not between the two halves of a surrogate pair.
  const end = /[\ud800-\udbff]/.test(text[MAX_QUOTED_CHARACTERS - 1]!) ? MAX_QUOTED_CHARACTERS - 1 : MAX_QUOTED_CHARACTERS;
  return `${text.slice(0, end)}…`;
}

/** `samples.3.r1_file` → `samples[3].r1_file`, prefixed by where the value came from. */
function fieldPath(issue: v.BaseIssue<unknown>, prefix: string): string {
  let path = prefix;
  for (const item of issue.path ?? []) {
    const key = (item as { key: unknown }).key;
    if (typeof key === 'number') path += `[${key}]`;
    else path += path === '' ? quoted(String(key)) : `.${quoted(String(key))}`;
  }
  return path === '' ? '(body)' : path;
}

function fieldMessage(issue: v.BaseIssue<unknown>): string {
  if (issue.kind === 'schema' && (issue.type === 'strict_object' || issue.type === 'object') && issue.expected === 'never') {
    return 'is not a known field';
  }
  if (issue.kind === 'schema' && issue.input === undefined) return 'is required';
  // valibot's default messages end with what was received (`… but received "…"`), in full.
  if (issue.received.length > MAX_QUOTED_CHARACTERS && issue.message.includes(issue.received)) {
    return issue.message.replace(issue.received, quoted(issue.received));
  }
  return issue.message;
}

export function fieldErrors(issues: readonly v.BaseIssue<unknown>[], prefix = ''): FieldError[] {
  return issues.map((issue) => ({ field: fieldPath(issue, prefix), message: fieldMessage(issue) }));
}

/** The error naming every bad field, its message summing up the first few. */
export function invalidInput(what: string, errors: readonly FieldError[], Kind: typeof InvalidInputError = InvalidInputError): InvalidInputError {
  const summary = errors
    .slice(0, 3)
    .map((error) => `${error.field} ${error.message}`)
    .join('; ');
  return new Kind(`The ${what} is invalid: ${summary}${errors.length > 3 ? '; …' : ''}`, errors);
}

/** Parses `input` or throws an InvalidInputError naming every bad field. */
export function parseOrThrow<TSchema extends v.GenericSchema>(
  schema: TSchema,
  input: unknown,
  what: string,
  prefix = '',
): v.InferOutput<TSchema> {
  const result = v.safeParse(schema, input, { abortEarly: false });
  if (result.success) return result.output;
  throw invalidInput(what, fieldErrors(result.issues, prefix));
}
