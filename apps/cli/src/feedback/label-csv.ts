import { splitCsvLine } from '@vigil/csv';
import { readLabel, type LabelProblem, type LabelRecord } from '@vigil/records';

/** The columns a labels CSV may have; the header names them, in any order. */
const COLUMNS = ['prediction_id', 'label', 'labeled_at'] as const;
type Column = (typeof COLUMNS)[number];

/** Where each column is in a row. */
export type LabelCsvColumns = { readonly prediction_id: number; readonly label: number; readonly labeled_at?: number };

/** The file itself cannot be read as labels (no header, a column missing or unknown): nothing in it is imported. */
export class LabelCsvError extends Error {}

/**
 * The header line's columns; throws {@link LabelCsvError} naming what is wrong.
 * An unknown column is refused, not ignored: a typo (labelled_at) would silently drop the dates.
 */
export function readLabelCsvHeader(line: string): LabelCsvColumns {
  const names = splitCsvLine(line.replace(/^\uFEFF/, ''));
  if (names === undefined) throw new LabelCsvError('line 1 (the header) has an unclosed quote');
  const at = new Map<Column, number>();
  names.forEach((name, index) => {
    if (!(COLUMNS as readonly string[]).includes(name)) {
      throw new LabelCsvError(`line 1 (the header): unknown column "${name.slice(0, 64)}"; the columns are prediction_id, label and optionally labeled_at`);
    }
    if (at.has(name as Column)) throw new LabelCsvError(`line 1 (the header): column "${name}" appears twice`);
    at.set(name as Column, index);
  });
  const predictionId = at.get('prediction_id');
  const label = at.get('label');
  if (predictionId === undefined || label === undefined) {
    throw new LabelCsvError('line 1 must be a header naming the columns: prediction_id,label[,labeled_at]');
  }
  const labeledAt = at.get('labeled_at');
  return { prediction_id: predictionId, label, ...(labeledAt === undefined ? {} : { labeled_at: labeledAt }) };
}

/** What a data line became: a label, or why it is skipped. `line` counts from 1, the header being line 1. */
export type LabelCsvRow = { readonly line: number; readonly label: LabelRecord } | { readonly line: number; readonly problem: string };

export interface LabelCsvDefaults {
  /** labeled_at of a row that has none (no column, or an empty cell); normalised ISO 8601. */
  readonly labeledAt: string;
  /** When this import took the labels. */
  readonly receivedAt: string;
}

/** One data line, checked by the same rules as POST /feedback (readLabel), the problems joined into one message. */
export function readLabelCsvLine(line: string, columns: LabelCsvColumns, width: number, defaults: LabelCsvDefaults): LabelRecord | string {
  const fields = splitCsvLine(line);
  if (fields === undefined) return 'unclosed quote';
  if (fields.length !== width) return `has ${fields.length} field(s), the header has ${width}`;
  const label = fields[columns.label]!;
  const labeledAt = columns.labeled_at === undefined ? '' : fields[columns.labeled_at]!;
  const item = {
    prediction_id: fields[columns.prediction_id]!,
    // "0" and "1" are the labels; anything else goes to readLabel as text, which refuses it.
    label: label === '0' ? 0 : label === '1' ? 1 : label,
    labeled_at: labeledAt === '' ? defaults.labeledAt : labeledAt,
  };
  const problems: LabelProblem[] = [];
  const record = readLabel(item, '', defaults.receivedAt, problems);
  return record ?? problems.map((p) => `${p.path} ${p.problem}`).join('; ');
}

/**
 * The labels of a CSV file, line by line, so a file of millions of rows is
 * never held whole. The first non-empty line must be the header (throws
 * {@link LabelCsvError} if it is not); empty lines are skipped.
 */
export async function* readLabelCsv(lines: AsyncIterable<string>, defaults: LabelCsvDefaults): AsyncGenerator<LabelCsvRow> {
  let columns: LabelCsvColumns | undefined;
  let width = 0;
  let number = 0;
  for await (const raw of lines) {
    number += 1;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') continue;
    if (columns === undefined) {
      if (number !== 1) throw new LabelCsvError('line 1 must be a header naming the columns: prediction_id,label[,labeled_at]');
      columns = readLabelCsvHeader(line);
      width = Math.max(...Object.values(columns)) + 1;
      continue;
    }
    const result = readLabelCsvLine(line, columns, width, defaults);
    yield typeof result === 'string' ? { line: number, problem: result } : { line: number, label: result };
  }
  if (columns === undefined) throw new LabelCsvError('the file is empty: line 1 must be a header naming the columns: prediction_id,label[,labeled_at]');
}
