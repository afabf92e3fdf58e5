import type { Command } from 'commander';
import { redisUrlAddress } from '@vigil/prediction-log';
import type { CliContext } from '../program/cli-context';
import { commandGroup } from '../program/create-program';
import { EXIT, exitCodesHelp } from '../program/exit-codes';
import { formatSpoolStatus } from './spool-format';
import { readSpoolStatus } from './spool-status';

const STATUS_HELP = `
Each API (and label or shadow logger) instance owns a directory under
SPOOL_DIR/instances (labels/ and shadow/ for the other two journals): its
owner.json says where its records go, its lease when it last beat. A dead
instance's directory (lease older than JOURNAL_LEASE_MS) is adopted and replayed
by a live logger of the same queue and Redis; a foreign one (another queue or
Redis) by none here. Nothing is changed: this only reads.`;

/** `vigil spool status`. */
export function registerSpoolCommands(program: Command, context: CliContext): void {
  commandGroup(program, 'spool', 'the write-ahead journal on SPOOL_DIR: what waits there for Redis')
    .command('status')
    .summary('the journals on SPOOL_DIR: owners, leases, backlog')
    .description('every logger instance’s journal: owner, live or dead, segments, bytes, records; foreign destinations flagged')
    .option('--dir <path>', 'the journal directory (default: SPOOL_DIR)')
    .option('--json', 'the status as one JSON object', false)
    .addHelpText('after', `${STATUS_HELP}\n${exitCodesHelp('printed', 'the directory does not exist')}`)
    .action(
      context.action(async (options: { dir?: string; json: boolean }) => {
        const config = context.config();
        const spoolDir = options.dir ?? config.spoolDir;
        const destination = { queue: config.queueName, redis: redisUrlAddress(config.redisUrl) };
        const status = await readSpoolStatus({ spoolDir, destination, leaseMs: config.journalLeaseMs });
        if (status === undefined) {
          context.out(`spool status: no journal directory at ${spoolDir}${options.dir === undefined ? ' (SPOOL_DIR)' : ''}`);
          return EXIT.failed;
        }
        if (options.json) context.out(JSON.stringify(status, null, 2));
        else for (const line of formatSpoolStatus(status)) context.out(line);
        return EXIT.ok;
      }),
    );
}
