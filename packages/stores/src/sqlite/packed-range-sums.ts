import { PackedCellMerger, unpackCells } from '@vigil/quality';
import { StampedCache } from './stamped-cache';

/** Ranges whose sums one reader keeps: a few windows × two levels × a few model versions. */
const KEPT_RANGES = 32;

/**
 * The sums of the packed lists of a range of keys (a window's hours, or its
 * days), kept by the lists' stamp: a list's generation is never reused
 * (migration 14), so the same stamp is the same cells. The days of a 30-day
 * window are ~30 lists of thousands of cells each; while no fold rewrites
 * one of them, a read adds their kept sum, one list, instead.
 */
export class PackedRangeSums {
  private readonly kept = new StampedCache<Float64Array>(KEPT_RANGES);

  /** The summed list of the range named by `stamp`, from `read` (its stored lists) if it is not kept. */
  sum(stamp: string, read: () => Iterable<Uint8Array>): Float64Array {
    return this.kept.getOrMake(stamp, () => {
      const merger = new PackedCellMerger();
      for (const list of read()) merger.addPacked(unpackCells(list));
      return merger.toPacked();
    });
  }
}
