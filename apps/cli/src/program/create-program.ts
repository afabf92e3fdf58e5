import { Command } from 'commander';
import type { CliContext } from './cli-context';
import { EXIT, EXIT_CODES_HELP } from './exit-codes';
import { formatHelpWithEveryCommand } from './help-format';

/** Adds one group of commands (`dlq`, `queue`, ...) to the program. */
export type RegisterCommands = (program: Command, context: CliContext) => void;

const ENVIRONMENT_HELP = `
Settings come from the environment, as for the API and the worker: REDIS_URL,
QUEUE_NAME, SQLITE_PATH, MONITORING_STORE, AUDIT_DATABASE_URL, SPOOL_DIR,
MODEL_PATH, ... (see the README).`;

/**
 * The `vigil` program: every command refuses an unknown option or command
 * (with the nearest spelling, when one is near) and prints its help after
 * the message, on stderr; runCli turns that into exit 2.
 */
export function createProgram(context: CliContext, groups: readonly RegisterCommands[]): Command {
  const program = new Command('vigil')
    .description('Operator commands for Vigil: dead letters, the queue, the journal, drift and quality reports, label import, models, export.')
    .usage('<command> [options]')
    // Set before any subcommand is made: .command() copies these to each one.
    .configureOutput({ writeOut: (text) => context.stdout.write(text), writeErr: (text) => context.stderr.write(text) })
    .configureHelp({ formatHelp: formatHelpWithEveryCommand })
    .exitOverride()
    .showHelpAfterError(true)
    .showSuggestionAfterError(true)
    .helpCommand('help [command]', 'the help of a command')
    .addHelpText('after', `${ENVIRONMENT_HELP}\n\n${EXIT_CODES_HELP}`);
  for (const register of groups) register(program, context);
  return program;
}

/** A group such as `dlq`: its verbs are the commands; it has no `help` verb of its own (`vigil help dlq` and `vigil dlq --help` show it). */
export function commandGroup(program: Command, name: string, description: string): Command {
  return program.command(name).description(description).helpCommand(false);
}

/** Refuses the command line with `message`, the command's help after it, and exit 2 (a problem commander cannot see: two options that exclude each other). */
export function refuse(command: Command, message: string): never {
  return command.error(`error: ${message}`, { exitCode: EXIT.usage, code: 'vigil.usage' });
}
