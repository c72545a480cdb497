/**
 * What the commands that act on a backend share (`settle`, `reconcile`): their output, the usage
 * and help answers, the quiet logging (the report is the output), the backend made ready and
 * stopped again. A command gives its parser and its work.
 */
import { prepareBackend, UsageError, USAGE, type BackendOptions, type PreparedBackend } from './cli.ts';

export interface CommandOutput {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

export const STANDARD_OUTPUT: CommandOutput = { out: (text) => void process.stdout.write(text), err: (text) => void process.stderr.write(text) };

/**
 * Parses `argv` (a UsageError: exit code 2), answers --help, prepares the backend (unreachable:
 * exit code 1), runs `work` and stops the backend after it; `what` names the work in an error.
 */
export async function runBackendCommand<Options extends BackendOptions>(
  argv: readonly string[],
  io: CommandOutput,
  parse: (argv: readonly string[]) => Options,
  what: string,
  work: (options: Options, prepared: PreparedBackend) => Promise<number>,
): Promise<number> {
  let options: Options;
  try {
    options = parse(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    io.out(USAGE);
    return 0;
  }
  // The report is the output: the flows' own info logs only with --verbose.
  if (!options.verbose) process.env.LOG_LEVEL ??= 'WARN';

  let prepared: PreparedBackend;
  try {
    prepared = await prepareBackend(options);
  } catch (error) {
    io.err(`Could not reach the backend: ${(error as Error).message}\n`);
    return 1;
  }
  try {
    return await work(options, prepared);
  } catch (error) {
    io.err(`${what} failed: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await prepared.stop();
  }
}
