import { ModelInitError } from './init-error';
import type { SampleTable } from './sample-csv';

const POSITIVE = new Set(['1', 'true', 'yes']);
const NEGATIVE = new Set(['0', 'false', 'no']);

/** The --label column as 0/1 (1/0, true/false or yes/no in any case); anything else is refused, naming the line. */
export function readSampleLabels(table: SampleTable, column: string): (0 | 1)[] {
  const index = table.columns.indexOf(column);
  if (index < 0) throw new ModelInitError(`--label ${column}: ${table.source} has no such column; its columns are ${table.columns.join(', ')}`);
  return table.rows.map((row, at) => {
    const cell = row[index]!.toLowerCase();
    if (POSITIVE.has(cell)) return 1;
    if (NEGATIVE.has(cell)) return 0;
    throw new ModelInitError(
      `--label ${column}: line ${table.lines[at]} of ${table.source} holds ${JSON.stringify(row[index]!.slice(0, 40))}; labels are 1/0, true/false or yes/no`,
    );
  });
}
