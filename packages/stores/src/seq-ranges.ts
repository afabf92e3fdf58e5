import { recordSequence } from '@vigil/records';

/**
 * Which sequence numbers of one API instance a store holds, as inclusive
 * runs `[from, to]`: sorted, disjoint and never adjacent (adjacent runs are
 * one run). A batch from one instance is usually one contiguous run, so an
 * instance's whole history is a handful of runs however many records it
 * logged: the stores keep these (like the rollups) so completeness costs
 * the same at a thousand records as at a billion.
 */
export type SeqRange = readonly [from: number, to: number];

/** What a store keeps per instance: the records it stored, and those the worker dead-lettered. */
export type SeqRangeKind = 'stored' | 'dead_lettered';

/** One instance's runs of one kind, as a store returns them. */
export interface SeqRangeRow {
  readonly instance_id: string;
  readonly kind: SeqRangeKind;
  readonly ranges: readonly SeqRange[];
}

/** The runs of a set of sequence numbers, in any order and with repeats. */
export function runsOf(seqs: Iterable<number>): SeqRange[] {
  const sorted = [...seqs].sort((a, b) => a - b);
  const runs: [number, number][] = [];
  for (const seq of sorted) {
    const last = runs[runs.length - 1];
    if (last !== undefined && seq <= last[1] + 1) last[1] = Math.max(last[1], seq);
    else runs.push([seq, seq]);
  }
  return runs;
}

/** The union of two run lists, in the canonical form (sorted, disjoint, not adjacent). */
export function mergeRanges(a: readonly SeqRange[], b: readonly SeqRange[]): SeqRange[] {
  const all = [...a, ...b].sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const [from, to] of all) {
    const last = merged[merged.length - 1];
    if (last !== undefined && from <= last[1] + 1) last[1] = Math.max(last[1], to);
    else merged.push([from, to]);
  }
  return merged;
}

/** How many sequence numbers the runs hold, only those up to `upTo` when given. */
export function countRanges(ranges: readonly SeqRange[], upTo = Number.POSITIVE_INFINITY): number {
  let count = 0;
  for (const [from, to] of ranges) {
    if (from > upTo) break;
    count += Math.min(to, upTo) - from + 1;
  }
  return count;
}

/** The runs of `a` that are not in `b`. */
export function subtractRanges(a: readonly SeqRange[], b: readonly SeqRange[]): SeqRange[] {
  const result: SeqRange[] = [];
  let j = 0;
  for (const [from, to] of a) {
    let start = from;
    while (j < b.length && b[j]![1] < start) j++;
    let k = j;
    while (start <= to && k < b.length && b[k]![0] <= to) {
      const [bFrom, bTo] = b[k]!;
      if (bFrom > start) result.push([start, bFrom - 1]);
      start = Math.max(start, bTo + 1);
      k++;
    }
    if (start <= to) result.push([start, to]);
  }
  return result;
}

/** The largest sequence number the runs hold; 0 for none. */
export function maxSeq(ranges: readonly SeqRange[]): number {
  return ranges[ranges.length - 1]?.[1] ?? 0;
}

/** True when both are the same runs (the stores skip a write that would change nothing). */
export function sameRanges(a: readonly SeqRange[], b: readonly SeqRange[]): boolean {
  return a.length === b.length && a.every((run, i) => run[0] === b[i]![0] && run[1] === b[i]![1]);
}

/**
 * The runs per instance of the values that carry a valid instance_id and
 * seq (see recordSequence); values without them (records from before
 * instances numbered theirs, or too broken to say) are left out.
 */
export function runsByInstance(values: Iterable<unknown>): Map<string, SeqRange[]> {
  const seqs = new Map<string, number[]>();
  for (const value of values) {
    const sequence = recordSequence(value);
    if (sequence === undefined) continue;
    let list = seqs.get(sequence.instance_id);
    if (list === undefined) seqs.set(sequence.instance_id, (list = []));
    list.push(sequence.seq);
  }
  return new Map([...seqs].map(([instance, list]) => [instance, runsOf(list)]));
}

/**
 * Stored runs as read back (JSON text in SQLite, jsonb in Postgres), checked:
 * anything else than a list of [from, to] pairs of whole numbers is refused
 * rather than counted wrong.
 */
export function parseRanges(value: unknown): SeqRange[] {
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  if (!Array.isArray(parsed)) throw new TypeError('seq ranges: expected an array of [from, to] pairs');
  return parsed.map((run: unknown): SeqRange => {
    if (!Array.isArray(run) || run.length !== 2 || !run.every((n) => Number.isSafeInteger(n)) || run[0] > run[1]) {
      throw new TypeError(`seq ranges: ${JSON.stringify(run)?.slice(0, 64)} is not a [from, to] pair`);
    }
    return [run[0] as number, run[1] as number];
  });
}
