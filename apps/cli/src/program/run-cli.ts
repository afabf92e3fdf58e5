import { CommanderError } from 'commander';
import { createCliContext, type CliIo } from './cli-context';
import { createProgram, type RegisterCommands } from './create-program';
import { EXIT } from './exit-codes';

/**
 * Runs one command line (the words after `vigil`) and resolves to its exit
 * code: the action's own (0 or 1), 0 for --help, 2 for anything commander
 * refused (an unknown command or option, a missing or bad value) and for a
 * group given no verb. An error no command expected is thrown on.
 */
export async function runCli(argv: readonly string[], io: CliIo, groups: readonly RegisterCommands[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const context = createCliContext(io, env);
  const program = createProgram(context, groups);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  return context.exitCode ?? EXIT.ok;
}
