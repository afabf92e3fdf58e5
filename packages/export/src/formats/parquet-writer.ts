import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import type { ByteSink } from '../byte-sink';
import type { ExportRow } from '../export-types';
import { featureCells, type ExportLayout, type FeatureCell } from '../layout';
import type { FormatWriter } from './format-writer';
import { featureKind, featureValue, FeatureTypeError, schemaElement, type ParquetKind, type SchemaElement } from './parquet-columns';

/**
 * Rows per row group. A group is held in memory until it is encoded, and
 * encoding it is one synchronous step of hyparquet-writer: at 20,000 rows
 * that step takes under a tenth of a second once warm (so an HTTP server
 * streaming an export keeps answering) and the group tens of MB, while the
 * groups stay large enough for readers to scan and compress well.
 */
export const PARQUET_ROW_GROUP_ROWS = 20_000;

/** hyparquet-writer's byte buffer, emptied into the sink after each row group (its flush hook), so the file never sits in memory. */
class SinkWriter extends ByteWriter {
  constructor(private readonly sink: ByteSink) {
    super(1 << 20);
  }

  flush(): Promise<void> {
    // A copy: the buffer is written over from the start once index is back at 0.
    const bytes = Buffer.from(this.getBytes());
    this.index = 0;
    return this.sink.write(bytes);
  }

  override finish(): Promise<void> {
    return this.flush();
  }
}

/** The rows of the row group being gathered, column by column. */
class GroupBuffer {
  readonly ids: string[] = [];
  readonly timestamps: number[] = [];
  readonly versions: string[] = [];
  readonly predictions: number[] = [];
  readonly probabilities: number[] = [];
  readonly latencies: number[] = [];
  readonly instances: (string | null)[] = [];
  readonly seqs: (bigint | null)[] = [];
  readonly traces: (string | null)[] = [];
  readonly labels: (number | null)[] = [];
  readonly labeledAt: (number | null)[] = [];
  readonly features: FeatureCell[][];

  constructor(featureCount: number) {
    this.features = Array.from({ length: featureCount }, () => []);
  }

  get size(): number {
    return this.ids.length;
  }

  add(row: ExportRow, cells: readonly FeatureCell[]): void {
    this.ids.push(row.prediction_id);
    this.timestamps.push(Date.parse(row.timestamp));
    this.versions.push(row.model_version);
    this.predictions.push(row.prediction);
    this.probabilities.push(row.probability);
    this.latencies.push(row.latency_ms);
    this.instances.push(row.instance_id);
    this.seqs.push(row.seq === null ? null : BigInt(row.seq));
    this.traces.push(row.trace_id ?? null);
    this.labels.push(row.label);
    this.labeledAt.push(row.labeled_at === null ? null : Date.parse(row.labeled_at));
    cells.forEach((value, i) => this.features[i]!.push(value));
  }
}

/**
 * Parquet through hyparquet-writer, one row group at a time: rows are
 * gathered into a group, the group is encoded and its bytes go to the sink
 * (waiting on its backpressure) before the next is gathered; the footer,
 * which lists the groups, is written at the end. Timestamps are UTC
 * milliseconds, prediction and label INT32, seq INT64, features typed by
 * their first row group ({@link featureKind}).
 */
export class ParquetExportWriter implements FormatWriter {
  private group: GroupBuffer;
  private writer: ParquetWriter | undefined;
  private kinds: ParquetKind[] | undefined;

  constructor(
    private readonly layout: ExportLayout,
    private readonly sink: ByteSink,
    private readonly rowGroupRows = PARQUET_ROW_GROUP_ROWS,
  ) {
    this.group = new GroupBuffer(layout.features.length);
  }

  async start(): Promise<void> {}

  async write(rows: readonly ExportRow[]): Promise<void> {
    for (const row of rows) {
      this.group.add(row, featureCells(row, this.layout));
      if (this.group.size >= this.rowGroupRows) await this.writeGroup();
    }
  }

  async finish(): Promise<void> {
    if (this.group.size > 0) await this.writeGroup();
    await this.open().finish();
  }

  private schema(kinds: readonly ParquetKind[]): SchemaElement[] {
    const { features, traceId } = this.layout;
    return [
      { name: 'root', num_children: this.layout.columns.length },
      schemaElement('prediction_id', 'string', false),
      schemaElement('timestamp', 'timestamp', false),
      schemaElement('model_version', 'string', false),
      schemaElement('prediction', 'int32', false),
      schemaElement('probability', 'double', false),
      schemaElement('latency_ms', 'double', false),
      schemaElement('instance_id', 'string', true),
      schemaElement('seq', 'int64', true),
      ...(traceId ? [schemaElement('trace_id', 'string', true)] : []),
      schemaElement('label', 'int32', true),
      schemaElement('labeled_at', 'timestamp', true),
      ...features.map(({ column }, i) => schemaElement(column, kinds[i]!, true)),
    ];
  }

  /** The file's writer, made when its schema is known: at the first row group, or at the end of an empty export. */
  private open(): ParquetWriter {
    if (this.writer !== undefined) return this.writer;
    this.kinds = this.group.features.map(featureKind);
    this.writer = new ParquetWriter({ writer: new SinkWriter(this.sink), schema: this.schema(this.kinds), createdBy: 'vigil export (hyparquet-writer)' });
    return this.writer;
  }

  private featureColumn(index: number): (number | boolean | string | null)[] {
    const kind = this.kinds![index]!;
    const { column } = this.layout.features[index]!;
    return this.group.features[index]!.map((value, row) => {
      const stored = featureValue(kind, value);
      if (stored === undefined) throw new FeatureTypeError(column, kind, value, this.group.ids[row]!);
      return stored;
    });
  }

  private async writeGroup(): Promise<void> {
    const writer = this.open();
    const g = this.group;
    const columns: { name: string; data: unknown[] }[] = [
      { name: 'prediction_id', data: g.ids },
      { name: 'timestamp', data: g.timestamps },
      { name: 'model_version', data: g.versions },
      { name: 'prediction', data: g.predictions },
      { name: 'probability', data: g.probabilities },
      { name: 'latency_ms', data: g.latencies },
      { name: 'instance_id', data: g.instances },
      { name: 'seq', data: g.seqs },
      ...(this.layout.traceId ? [{ name: 'trace_id', data: g.traces }] : []),
      { name: 'label', data: g.labels },
      { name: 'labeled_at', data: g.labeledAt },
      ...this.layout.features.map(({ column }, i) => ({ name: column, data: this.featureColumn(i) })),
    ];
    const size = g.size;
    this.group = new GroupBuffer(this.layout.features.length);
    await writer.write({ columnData: columns as Parameters<ParquetWriter['write']>[0]['columnData'], rowGroupSize: size });
  }
}
