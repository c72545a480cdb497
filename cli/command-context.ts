/**
 * What every command starts from: the global options (connection, --json) resolved into a
 * client and an output. A command's action returns its exit code; errors are CliErrors
 * (lab-cli.ts prints them and exits with their code).
 */
import type { Command } from 'commander';
import { apiClient, type ApiClient } from './api-client.ts';
import { resolveConnection, type Connection, type ConnectionFlags } from './connection.ts';
import type { ExitCode } from './exit-codes.ts';
import { output, type CliIo, type Output } from './output.ts';

export interface GlobalOptions extends ConnectionFlags {
  readonly json?: boolean;
}

export interface CommandContext {
  readonly io: CliIo;
  readonly connection: Connection;
  readonly client: ApiClient;
  readonly out: Output;
  /** Whether requests are SigV4-signed (--aws): the operator routes are used where there is one. */
  readonly aws: boolean;
}

/** Declares a command's action (lab-cli.ts): its context built from the global options, its exit code kept. */
export type Define = <Options = Record<string, unknown>>(
  command: Command,
  action: (context: CommandContext, options: Options, ...positionals: string[]) => Promise<ExitCode>,
) => Command;

export function commandContext(command: Command, io: CliIo): CommandContext {
  const globals = command.optsWithGlobals<GlobalOptions>();
  const connection = resolveConnection(globals, io.env);
  return {
    io,
    connection,
    client: apiClient(connection, { env: io.env, ...(io.fetch ? { fetch: io.fetch } : {}) }),
    out: output(io, globals.json === true),
    aws: connection.credentials.kind === 'aws',
  };
}
