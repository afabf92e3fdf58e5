import type { ExportRow } from '../export-types';

/** One file format: takes the rows batch by batch and writes its bytes to the sink it was made with. */
export interface FormatWriter {
  /** Before the first row: a header, a magic number, or nothing. */
  start(): Promise<void>;
  write(rows: readonly ExportRow[]): Promise<void>;
  /** After the last row: whatever the format keeps for its end (Parquet's last row group and footer). */
  finish(): Promise<void>;
}
