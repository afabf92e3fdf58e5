import { splitCsvLine } from '@vigil/csv';
import { ModelInitError } from './init-error';

/** A sample CSV as text cells: the header's column names and one array of cells per data row. */
export interface SampleTable {
  /** Where it came from, for messages. */
  readonly source: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** The file line of each row (the header is line 1), for messages. */
  readonly lines: readonly number[];
}

/**
 * Reads a sample: a header naming the columns, then one row per line, every
 * row as wide as the header. Empty lines are skipped; a BOM and CRLF line ends
 * (Excel's export) are accepted. Throws {@link ModelInitError} naming the line.
 */
export function parseSampleCsv(text: string, source: string): SampleTable {
  const rawLines = text.replace(/^\uFEFF/, '').split('\n');
  let columns: string[] | undefined;
  const rows: string[][] = [];
  const lines: number[] = [];
  rawLines.forEach((raw, index) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    const number = index + 1;
    const fields = splitCsvLine(line);
    if (fields === undefined) throw new ModelInitError(`${source} line ${number}: a quote is left open (fields cannot span lines)`);
    if (columns === undefined) {
      columns = checkHeader(fields, source, number);
      return;
    }
    if (fields.length !== columns.length) {
      throw new ModelInitError(`${source} line ${number}: ${fields.length} field(s), the header names ${columns.length}`);
    }
    rows.push(fields);
    lines.push(number);
  });
  if (columns === undefined) throw new ModelInitError(`${source} is empty: it needs a header naming the columns, then one row per line`);
  if (rows.length === 0) throw new ModelInitError(`${source} has a header but no rows: the spec is inferred from the rows`);
  return { source, columns, rows, lines };
}

function checkHeader(names: string[], source: string, line: number): string[] {
  const seen = new Set<string>();
  names.forEach((name, index) => {
    if (name === '') throw new ModelInitError(`${source} line ${line} (the header): column ${index + 1} has no name`);
    if (seen.has(name)) throw new ModelInitError(`${source} line ${line} (the header): column "${name}" appears twice`);
    seen.add(name);
  });
  return names;
}
