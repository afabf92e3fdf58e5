import { BIN_COUNT } from './bins';
import type { LabelState, QualityCell } from './cells';
import { cellSlot, PACKED_CELL_DOUBLES, STATES_PER_BIN } from './packed-cells';

const SLOTS = BIN_COUNT * STATES_PER_BIN;
const LABEL_OF_INDEX: readonly LabelState[] = ['unlabeled', 0, 1];

/** Doubles per entry of a group: the count and the five sums. */
const ENTRY = 6;

/**
 * One group's summed cells: its slots and, per entry, the count and the
 * sums, in typed arrays grown by doubling. Plain sums: a window adds at most
 * a few hundred stored cells into each entry, far from where rounding shows
 * in the figures (the reference vectors hold them to 1e-9), and a
 * compensated sum was most of the time of adding ~100,000 stored cells.
 */
class GroupSums {
  slots = new Int32Array(64);
  values = new Float64Array(64 * ENTRY);
  size = 0;

  push(slot: number): number {
    if (this.size === this.slots.length) {
      const slots = new Int32Array(this.size * 2);
      slots.set(this.slots);
      this.slots = slots;
      const values = new Float64Array(this.size * 2 * ENTRY);
      values.set(this.values);
      this.values = values;
    }
    this.slots[this.size] = slot;
    return this.size++;
  }
}

/**
 * Sums stored quality cells into one set of cells per group (a window: one
 * group; a timeline: one per bucket) by (bin, prediction, label state), as
 * fast as the store hands them over. A window reads tens of thousands of
 * stored cells (one per key and cell) that sum to a few thousand, and
 * sorting them for a SQL GROUP BY was most of a request's time; here each
 * row is an array index away from its sums.
 *
 * Rows of one group should arrive together (the stores read in key order):
 * one slot index serves the group being filled and is rebuilt when the
 * group changes, so memory stays per cell, not per slot and group.
 */
export class CellGroups {
  private readonly groups = new Map<number, GroupSums>();
  /** slot → entry of the current group, -1 where it has none. */
  private readonly index = new Int32Array(SLOTS).fill(-1);
  private current: GroupSums | undefined;
  private currentKey = Number.NaN;

  add(
    group: number,
    bin: number,
    prediction: 0 | 1,
    label: LabelState,
    count: number,
    sum_p: number,
    sum_p2: number,
    sum_q2: number,
    sum_log_p: number,
    sum_log_q: number,
  ): void {
    this.addAt(group, cellSlot(bin, prediction, label), count, sum_p, sum_p2, sum_q2, sum_log_p, sum_log_q);
  }

  /** Adds every cell of a packed list (see PACKED_CELL_DOUBLES) to a group. */
  addPacked(group: number, cells: Float64Array): void {
    for (let i = 0; i < cells.length; i += PACKED_CELL_DOUBLES) {
      this.addAt(group, cells[i]!, cells[i + 1]!, cells[i + 2]!, cells[i + 3]!, cells[i + 4]!, cells[i + 5]!, cells[i + 6]!);
    }
  }

  private addAt(group: number, slot: number, count: number, sumP: number, sumP2: number, sumQ2: number, sumLogP: number, sumLogQ: number): void {
    const sums = group === this.currentKey && this.current !== undefined ? this.current : this.switchTo(group);
    let i = this.index[slot]!;
    if (i < 0) {
      i = sums.push(slot);
      this.index[slot] = i;
    }
    const values = sums.values;
    const at = i * ENTRY;
    values[at]! += count;
    values[at + 1]! += sumP;
    values[at + 2]! += sumP2;
    values[at + 3]! += sumQ2;
    values[at + 4]! += sumLogP;
    values[at + 5]! += sumLogQ;
  }

  /** The groups that received a row, increasing. */
  keys(): number[] {
    return [...this.groups.keys()].sort((a, b) => a - b);
  }

  /** The summed cells of a group in (bin, prediction, label) order; none for a group that received no row. */
  cells(group: number): QualityCell[] {
    const sums = this.groups.get(group);
    if (sums === undefined) return [];
    const order = Array.from({ length: sums.size }, (_, i) => i).sort((a, b) => sums.slots[a]! - sums.slots[b]!);
    return order.map((i) => {
      const slot = sums.slots[i]!;
      const state = slot % STATES_PER_BIN;
      return {
        bin: (slot - state) / STATES_PER_BIN,
        prediction: state >= 3 ? 1 : 0,
        label: LABEL_OF_INDEX[state % 3]!,
        count: sums.values[i * ENTRY]!,
        sum_p: sums.values[i * ENTRY + 1]!,
        sum_p2: sums.values[i * ENTRY + 2]!,
        sum_q2: sums.values[i * ENTRY + 3]!,
        sum_log_p: sums.values[i * ENTRY + 4]!,
        sum_log_q: sums.values[i * ENTRY + 5]!,
      };
    });
  }

  private switchTo(group: number): GroupSums {
    if (this.current !== undefined) for (let i = 0; i < this.current.size; i++) this.index[this.current.slots[i]!] = -1;
    let sums = this.groups.get(group);
    if (sums === undefined) {
      sums = new GroupSums();
      this.groups.set(group, sums);
    }
    for (let i = 0; i < sums.size; i++) this.index[sums.slots[i]!] = i;
    this.current = sums;
    this.currentKey = group;
    return sums;
  }
}
