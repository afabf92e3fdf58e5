import { Option, type Command } from 'commander';
import type { CliContext } from '../program/cli-context';
import { commandGroup } from '../program/create-program';
import { exitCodesHelp } from '../program/exit-codes';
import { wholeNumber } from '../program/option-values';
import { printQueueStats, type QueueStatsOptions } from './queue-stats';

const STATS_HELP = `
Jobs by BullMQ state; the oldest waiting job and how long it has waited; the
last minutes exactly (jobs completed and the records they wrote, from the
completed jobs' finish times) and BullMQ's per-minute metrics; stalled jobs
(active, but no worker holds their lock) and stalls seen lately; the dead-letter
count. One job is one batch of up to LOG_BATCH_MAX_RECORDS records.`;

/** `vigil queue stats`. */
export function registerQueueCommands(program: Command, context: CliContext): void {
  commandGroup(program, 'queue', 'the BullMQ log queue (QUEUE_NAME on REDIS_URL)')
    .command('stats')
    .summary('job counts, oldest waiting, throughput, stalled jobs')
    .description('counts by state, oldest waiting job, throughput, stalled jobs and dead letters of the log queue')
    .addOption(new Option('--minutes <n>', 'how far back throughput and stalls are counted').argParser(wholeNumber(1, 10_080)).default(1))
    .option('--json', 'the figures as one JSON object (GET /monitoring/queue’s, and more)', false)
    .addHelpText('after', `${STATS_HELP}\n${exitCodesHelp('printed', 'Redis did not answer')}`)
    .action(context.action(async (options: QueueStatsOptions) => printQueueStats(context, options)));
}
