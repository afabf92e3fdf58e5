import { Option, type Command } from 'commander';
import type { CliContext } from '../program/cli-context';
import { commandGroup, refuse } from '../program/create-program';
import { exitCodesHelp } from '../program/exit-codes';
import { wholeNumber } from '../program/option-values';
import { listDeadLetters, replayDeadLetters, showDeadLetter } from './dead-letters';

const FAILED = 'Redis did not answer, or no dead letter has that id';

/** `vigil dlq list|show|replay`: the operator's view of the dead-letter queue (QUEUE_NAME-dead-letter). */
export function registerDlqCommands(program: Command, context: CliContext): void {
  const dlq = commandGroup(program, 'dlq', 'the dead-letter queue: records the worker could not store, waiting for a person');

  dlq
    .command('list')
    .summary('count and list the dead letters')
    .description('count the dead letters and list the newest: id, kind, records, when, why')
    .addOption(new Option('--limit <n>', 'how many to list').argParser(wholeNumber(1)).default(100))
    .addHelpText('after', exitCodesHelp('listed', 'Redis did not answer'))
    .action(context.action(async (options: { limit: number }) => listDeadLetters(context, options.limit)));

  dlq
    .command('show')
    .summary('one dead letter as JSON, its records included')
    .description('one dead letter as JSON: its reason, source job and records')
    .argument('<id>', 'the id `dlq list` shows')
    .addHelpText('after', exitCodesHelp('shown', FAILED))
    .action(context.action(async (id: string) => showDeadLetter(context, id)));

  dlq
    .command('replay')
    .summary('put dead letters back onto the log queue')
    .description('put dead letters back onto the log queue as new jobs (a record already stored is not stored twice)')
    .argument('[ids...]', 'the ids to replay')
    .option('--all', 'replay every dead letter')
    .addHelpText('after', exitCodesHelp('replayed (or nothing to replay with --all)', FAILED))
    .action(
      context.action(async (ids: string[], options: { all?: boolean }, command: Command) => {
        if (options.all === true && ids.length > 0) refuse(command, 'give ids or --all, not both');
        if (options.all !== true && ids.length === 0) refuse(command, 'give the ids to replay, or --all');
        return replayDeadLetters(context, options.all === true ? 'all' : ids);
      }),
    );
}
