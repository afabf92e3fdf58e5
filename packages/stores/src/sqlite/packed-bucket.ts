import type { QualityCell } from '@vigil/quality';
import type { QualityBucket } from './sqlite-quality-reader';

/** One packed list of a key, as a timeline saw it. */
export interface PackedRef {
  readonly model_version: string;
  readonly generation: number;
}

/** A key's cells and label delays read afresh (one snapshot), and whether its lists are still the ones the stamp names. */
export interface PackedRead {
  readonly cells: QualityCell[];
  readonly labelDelays: Map<number, number>;
  readonly unchanged: boolean;
}

/**
 * A timeline bucket that is packed lists only: its cells and label delays
 * are read on first use, so a caller that keeps figures by stamp never
 * pays for them.
 */
export class PackedBucket implements QualityBucket {
  private read: PackedRead | undefined;

  constructor(
    readonly minute: number,
    private readonly stampSeen: string,
    private readonly readCells: () => PackedRead,
  ) {}

  get cells(): QualityCell[] {
    this.read ??= this.readCells();
    return this.read.cells;
  }

  get labelDelays(): Map<number, number> {
    this.read ??= this.readCells();
    return this.read.labelDelays;
  }

  /** The stamp while the cells (if read) are the lists it names; none once they were found changed. */
  get stamp(): string | undefined {
    return this.read === undefined || this.read.unchanged ? this.stampSeen : undefined;
  }
}
