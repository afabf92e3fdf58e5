import { coarsen, rollUp, type MinuteRollup, type RollupInput } from './minute-rollup';

/**
 * One level of the rollup cascade: its table (the same name in SQLite and in
 * the Postgres schema), its key column, and how many keys of the next finer
 * level make one of its keys. At every level a rollup's `minute` field holds
 * that level's key (minutes, hours or days since the epoch).
 */
export interface RollupLevel {
  readonly table: 'rollup_minute' | 'rollup_hour' | 'rollup_day';
  readonly key: 'minute' | 'hour' | 'day';
  /** Keys of the next finer level per key of this one; undefined for minutes, which are rolled up from the rows. */
  readonly perFiner: number | undefined;
}

/**
 * minute → hour → day, finest first: what every store keeps as it writes and
 * what a window is read from. Each level is made from the one before it.
 */
export const ROLLUP_LEVELS: readonly RollupLevel[] = [
  { table: 'rollup_minute', key: 'minute', perFiner: undefined },
  { table: 'rollup_hour', key: 'hour', perFiner: 60 },
  // Days are UTC days: 24 hours since the epoch each.
  { table: 'rollup_day', key: 'day', perFiner: 24 },
];

/** The rollups of `level` made from the next finer level's (minute rollups for hours, hour rollups for days). */
export function coarsenTo(level: RollupLevel, finer: Iterable<MinuteRollup>): MinuteRollup[] {
  if (level.perFiner === undefined) throw new RangeError(`coarsenTo: ${level.key} rollups are made from rows, not from rollups`);
  return coarsen(finer, level.perFiner);
}

/** The rollups of one level. */
export interface LevelRollups {
  readonly level: RollupLevel;
  readonly rollups: MinuteRollup[];
}

/**
 * Newly stored predictions rolled up at every level, finest first: minutes
 * from the rows, hours from the minutes, days from the hours. A store merges
 * each level's rollups into that level's table in the transaction that
 * stored the rows, so the rows and every level commit together. The caller
 * passes only rows its insert added, so a redelivered batch never counts twice.
 */
export function cascade(records: Iterable<RollupInput>): LevelRollups[] {
  const levels: LevelRollups[] = [];
  let finer: MinuteRollup[] = [];
  for (const level of ROLLUP_LEVELS) {
    finer = level.perFiner === undefined ? rollUp(records) : coarsen(finer, level.perFiner);
    levels.push({ level, rollups: finer });
  }
  return levels;
}

/** The keys of one level a window reads: from `from` up to (not including) `to`; `to` undefined means every key from `from` on. */
export interface SpanRange {
  readonly level: RollupLevel;
  readonly from: number;
  readonly to: number | undefined;
}

/**
 * Which rollups cover the minutes from `sinceMinute` on while reading as few
 * rows as possible: minutes up to the first whole hour, hours up to the first
 * whole day, then whole days (the current ones included, so the span runs to
 * now). One range per level of {@link ROLLUP_LEVELS}, in that order; only the
 * last is open-ended. Per model version a window then reads at most 59 minute
 * rows and 23 hour rows, plus one row per day, however busy the days were.
 */
export function spanPlan(sinceMinute: number): SpanRange[] {
  const ranges: SpanRange[] = [];
  let from = sinceMinute; // in the current level's keys
  ROLLUP_LEVELS.forEach((level, i) => {
    const perCoarser = ROLLUP_LEVELS[i + 1]?.perFiner;
    if (perCoarser === undefined) {
      ranges.push({ level, from, to: undefined });
      return;
    }
    const coarserFrom = Math.ceil(from / perCoarser);
    ranges.push({ level, from, to: coarserFrom * perCoarser });
    from = coarserFrom;
  });
  return ranges;
}
