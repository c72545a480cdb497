/**
 * `daylily-workset`: the labs' command-line client of the workset API (docs/cli.md). Commander
 * reads the command line; each command is one or two API calls and an exit code a script can
 * use (exit-codes.ts). Nothing here runs the service: it speaks HTTP to a base URL only.
 */
import { Command, CommanderError, Option } from 'commander';
import { registerCatalogueCommands } from './commands/catalogue-commands.ts';
import { registerSubmissionCommands } from './commands/submission-commands.ts';
import { registerWorksetCommands } from './commands/workset-commands.ts';
import { commandContext, type CommandContext, type Define } from './command-context.ts';
import { DEFAULT_API_URL } from './connection.ts';
import { ApiProblem, CliError, EXIT, type ExitCode } from './exit-codes.ts';
import { problemLines, type CliIo } from './output.ts';

/** What a run learnt of its command line before it failed: whether the problem is wanted as JSON too. */
interface RunState {
  json: boolean;
}

export function program(io: CliIo, settle: (code: ExitCode) => void, state: RunState = { json: false }): Command {
  const root = new Command('daylily-workset')
    .description('Submit and follow Daylily worksets through the workset API (docs/cli.md).')
    .showHelpAfterError('(daylily-workset --help lists the commands and options)')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride()
    .addOption(new Option('--api-url <url>', `the API's base URL (env DAYLILY_API_URL; default ${DEFAULT_API_URL}, the local server)`))
    .addOption(new Option('--token <token>', 'a bearer token for the lab routes (env DAYLILY_TOKEN)'))
    .addOption(new Option('--customer <id>', 'the customer the lab routes act for (env DAYLILY_CUSTOMER)'))
    .addOption(new Option('--aws', 'sign with AWS credentials (SigV4, execute-api) instead of a token: the operator routes'))
    .addOption(new Option('--region <region>', 'with --aws: the API\'s region (env AWS_REGION)'))
    .addOption(new Option('--profile <name>', 'with --aws: the AWS profile (env AWS_PROFILE)'))
    .addOption(new Option('--json', 'print the API\'s JSON (for scripts) instead of tables'));

  const define: Define = <Options,>(command: Command, action: (context: CommandContext, options: Options, ...positionals: string[]) => Promise<ExitCode>) => {
    command.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr }).showHelpAfterError(`(daylily-workset ${command.name()} --help)`);
    return command.action(async (...args: unknown[]) => {
      const self = args.at(-1) as Command;
      state.json = self.optsWithGlobals<{ json?: boolean }>().json === true;
      settle(await action(commandContext(self, io), self.opts<Options & object>(), ...(args.slice(0, -2) as string[])));
    });
  };
  registerCatalogueCommands(root, define);
  registerSubmissionCommands(root, define);
  registerWorksetCommands(root, define);
  return root;
}

/** Runs the CLI on `argv` (without node and the script); answers the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  let code: ExitCode = EXIT.ok;
  const state: RunState = { json: false };
  try {
    await program(io, (settled) => (code = settled), state).parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version are not errors; commander already printed its message for the rest.
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.help' || error.code === 'commander.version' ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof ApiProblem) {
      if (state.json) io.stdout(`${JSON.stringify(error.problem, null, 2)}\n`);
      for (const line of problemLines(error.problem)) io.stderr(`${line}\n`);
      if (error.location) io.stderr(`  the workset: ${error.location}\n`);
      return error.exitCode;
    }
    if (error instanceof CliError) {
      io.stderr(`error: ${error.message}\n`);
      return error.exitCode;
    }
    io.stderr(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT.internal;
  }
}
