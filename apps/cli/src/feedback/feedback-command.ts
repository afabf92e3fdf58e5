import { Option, type Command } from 'commander';
import { MAX_FEEDBACK_LABELS } from '@vigil/records';
import type { CliContext } from '../program/cli-context';
import { commandGroup } from '../program/create-program';
import { exitCodesHelp } from '../program/exit-codes';
import { isoDateTime, wholeNumber } from '../program/option-values';
import { importLabels } from './import-labels';

const FILE_HELP = `
The file: a header, then one label a row. Columns
prediction_id,label[,labeled_at] in any order; label 0 or 1; labeled_at ISO 8601
with a zone. A row without labeled_at takes --labeled-at, else the file's
modification time (so a re-run is the same labels, and adds none).`;

/** `vigil feedback import`. */
export function registerFeedbackCommands(program: Command, context: CliContext): void {
  commandGroup(program, 'feedback', 'labels: what really happened to the predictions')
    // A template literal: test/repo/package-graph.test.ts would take the word after import in plain quotes for a module name.
    .command(`import`)
    .summary('back-fill labels from a CSV')
    .description('back-fill labels from a CSV onto the log queue, as label-batch jobs the worker stores as it does POST /feedback’s')
    .argument('<labels.csv>', 'the labels file')
    .addOption(new Option('--batch-size <n>', 'labels per job').argParser(wholeNumber(1, MAX_FEEDBACK_LABELS)).default(MAX_FEEDBACK_LABELS))
    .addOption(new Option('--labeled-at <iso-8601>', 'labeled_at of the rows without one (default: the file’s modification time)').argParser(isoDateTime))
    .addHelpText('after', `${FILE_HELP}\n${exitCodesHelp('every row enqueued', 'rows skipped (the rest enqueued), or the import failed (the file, Redis)')}`)
    .action(
      context.action(async (file: string, options: { batchSize: number; labeledAt?: string }) =>
        importLabels(context, { file, batchSize: options.batchSize, labeledAt: options.labeledAt }),
      ),
    );
}
