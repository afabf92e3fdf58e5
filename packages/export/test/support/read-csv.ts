/**
 * A strict RFC 4180 reader, written for the tests (independent of the
 * export's writer): CRLF records, quoted fields with doubled quotes. Each
 * field comes back as its text and whether it was quoted, so a test can
 * tell the empty string (`""`) from a missing value (nothing).
 */
export interface CsvField {
  readonly text: string;
  readonly quoted: boolean;
}

export function readCsv(input: string): CsvField[][] {
  const records: CsvField[][] = [];
  let record: CsvField[] = [];
  let i = 0;
  while (i < input.length) {
    let text = '';
    let quoted = false;
    if (input[i] === '"') {
      quoted = true;
      i += 1;
      for (;;) {
        if (i >= input.length) throw new Error('readCsv: a quoted field is not closed');
        if (input[i] === '"') {
          if (input[i + 1] === '"') {
            text += '"';
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        text += input[i];
        i += 1;
      }
    } else {
      while (i < input.length && input[i] !== ',' && input[i] !== '\r') {
        if (input[i] === '"' || input[i] === '\n') throw new Error(`readCsv: a bare ${JSON.stringify(input[i])} at ${i}`);
        text += input[i];
        i += 1;
      }
    }
    record.push({ text, quoted });
    if (input[i] === ',') {
      i += 1;
    } else if (input.startsWith('\r\n', i)) {
      records.push(record);
      record = [];
      i += 2;
    } else if (i < input.length) {
      throw new Error(`readCsv: ${JSON.stringify(input[i])} after a field at ${i}`);
    }
  }
  if (record.length > 0) throw new Error('readCsv: the last record has no CRLF');
  return records;
}
