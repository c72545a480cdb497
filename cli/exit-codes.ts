/**
 * What the lab CLI's exit status tells a script (docs/cli.md), and the errors that end a command
 * with one. Every failure a command meets becomes one of these; main.ts turns it into its code.
 */
import type { FieldError } from '../lambdas/lib/errors.ts';

export const EXIT = {
  /** Done; with --wait / --follow: the workset completed. */
  ok: 0,
  /** The API refused the request (a 4xx answer), or a preview says registration would. */
  refused: 1,
  /** The command line or a local input is wrong (a flag, a missing setting, an unreadable sheet). */
  usage: 2,
  /** The API could not be reached, timed out, or failed (5xx): worth retrying later. */
  unavailable: 3,
  /** Waited or followed, and the workset ended without completing (error, failed, canceled…). */
  unfinished: 4,
  /** Waited or followed until --timeout, and the workset was still under way. */
  stillRunning: 5,
  /** A fault of the CLI itself (please report it). */
  internal: 70,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An RFC 9457 problem as the API answers it (application/problem+json), or the shape of a bare error. */
export interface Problem {
  readonly type?: string;
  readonly title?: string;
  readonly status: number;
  readonly detail?: string;
  readonly errors?: readonly FieldError[];
  /** Field errors the answer left out (it lists at most 20). */
  readonly errors_omitted?: number;
  readonly [extension: string]: unknown;
}

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage);
  }
}

/** The API answered with a problem: a refusal (4xx), or a failure (5xx). */
export class ApiProblem extends CliError {
  constructor(
    readonly problem: Problem,
    /** The answer's `Location`, when it names something (a registration whose outcome is unknown). */
    readonly location?: string,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`, problem.status >= 500 ? EXIT.unavailable : EXIT.refused);
  }
}

/** The API (or the upload's storage) could not be reached, or did not answer in time. */
export class Unreachable extends CliError {
  constructor(message: string) {
    super(message, EXIT.unavailable);
  }
}
