import { BIN_COUNT } from './bins';
import type { LabelState, QualityCell } from './cells';

/** Slots per bin: prediction 0 or 1 × label state unlabeled, 0 or 1. */
const STATES_PER_BIN = 6;
const SLOTS = BIN_COUNT * STATES_PER_BIN;
const LABEL_OF_INDEX: readonly LabelState[] = ['unlabeled', 0, 1];

/**
 * Slot order is (bin, prediction, label state) with unlabeled before 0 before 1: the
 * order GROUP BY bin, prediction, label_state gave, so figures sum cells as before.
 */
function slotOf(bin: number, prediction: 0 | 1, label: LabelState): number {
  return bin * STATES_PER_BIN + prediction * 3 + (label === 'unlabeled' ? 0 : label + 1);
}

/**
 * Neumaier's compensated sum per entry, step for step as SQLite's sum()
 * (3.43 on) sums REALs, so the figures keep the bits they had when SQL did the sums.
 */
class CompensatedColumn {
  private readonly sums: number[] = [];
  private readonly errors: number[] = [];

  push(): void {
    this.sums.push(0);
    this.errors.push(0);
  }

  add(i: number, value: number): void {
    const sum = this.sums[i]!;
    const next = sum + value;
    this.errors[i]! += Math.abs(sum) > Math.abs(value) ? sum - next + value : value - next + sum;
    this.sums[i] = next;
  }

  value(i: number): number {
    return this.sums[i]! + this.errors[i]!;
  }
}

/** One group's summed cells, as columns (a plain number per slot and sum, nothing allocated per added row). */
class GroupSums {
  readonly slots: number[] = [];
  readonly count: number[] = [];
  readonly sumP = new CompensatedColumn();
  readonly sumP2 = new CompensatedColumn();
  readonly sumQ2 = new CompensatedColumn();
  readonly sumLogP = new CompensatedColumn();
  readonly sumLogQ = new CompensatedColumn();

  push(slot: number): number {
    this.slots.push(slot);
    this.count.push(0);
    this.sumP.push();
    this.sumP2.push();
    this.sumQ2.push();
    this.sumLogP.push();
    this.sumLogQ.push();
    return this.slots.length - 1;
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
    const sums = group === this.currentKey && this.current !== undefined ? this.current : this.switchTo(group);
    const slot = slotOf(bin, prediction, label);
    let i = this.index[slot]!;
    if (i < 0) {
      i = sums.push(slot);
      this.index[slot] = i;
    }
    sums.count[i]! += count;
    sums.sumP.add(i, sum_p);
    sums.sumP2.add(i, sum_p2);
    sums.sumQ2.add(i, sum_q2);
    sums.sumLogP.add(i, sum_log_p);
    sums.sumLogQ.add(i, sum_log_q);
  }

  /** The groups that received a row, increasing. */
  keys(): number[] {
    return [...this.groups.keys()].sort((a, b) => a - b);
  }

  /** The summed cells of a group in (bin, prediction, label) order; none for a group that received no row. */
  cells(group: number): QualityCell[] {
    const sums = this.groups.get(group);
    if (sums === undefined) return [];
    const order = sums.slots.map((_, i) => i).sort((a, b) => sums.slots[a]! - sums.slots[b]!);
    return order.map((i) => {
      const slot = sums.slots[i]!;
      const state = slot % STATES_PER_BIN;
      return {
        bin: (slot - state) / STATES_PER_BIN,
        prediction: state >= 3 ? 1 : 0,
        label: LABEL_OF_INDEX[state % 3]!,
        count: sums.count[i]!,
        sum_p: sums.sumP.value(i),
        sum_p2: sums.sumP2.value(i),
        sum_q2: sums.sumQ2.value(i),
        sum_log_p: sums.sumLogP.value(i),
        sum_log_q: sums.sumLogQ.value(i),
      };
    });
  }

  private switchTo(group: number): GroupSums {
    if (this.current !== undefined) for (const slot of this.current.slots) this.index[slot] = -1;
    let sums = this.groups.get(group);
    if (sums === undefined) {
      sums = new GroupSums();
      this.groups.set(group, sums);
    }
    sums.slots.forEach((slot, i) => (this.index[slot] = i));
    this.current = sums;
    this.currentKey = group;
    return sums;
  }
}
