import type { LabelState } from '@vigil/quality';
import { ROLLUP_LEVELS, type RollupLevel } from '@vigil/rollups';

/** A level of the quality tables: the latency rollups' levels (minute, hour, day), with how many minutes one key spans. */
export interface QualityLevel {
  readonly level: RollupLevel['key'];
  readonly minutes: number;
}

/** Finest first, as ROLLUP_LEVELS, so spanPlan's ranges (one per level, in that order) apply unchanged. */
export const QUALITY_LEVELS: readonly QualityLevel[] = ROLLUP_LEVELS.reduce<QualityLevel[]>((levels, { key, perFiner }) => {
  const finer = levels[levels.length - 1];
  levels.push({ level: key, minutes: finer === undefined ? 1 : finer.minutes * perFiner! });
  return levels;
}, []);

/** label_state as stored: -1 for no label yet (an integer column keeps the key narrow). */
export function labelStateColumn(state: LabelState): -1 | 0 | 1 {
  return state === 'unlabeled' ? -1 : state;
}

export function labelStateOf(column: -1 | 0 | 1): LabelState {
  return column === -1 ? 'unlabeled' : column;
}
