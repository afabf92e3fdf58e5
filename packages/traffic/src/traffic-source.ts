import { createRng, simulateTransactions, type SimulatedTransaction, type SizePreset } from '@vigil/training';

const pools = new Map<string, readonly SimulatedTransaction[]>();
import { applyShifts, type Shift } from './drift-spec';

export interface TrafficSourceOptions {
  /** @defaultValue 7 — not the training seed, so the traffic is new data from the same process. */
  readonly seed?: number;
  /**
   * The simulated world's size. Keep the training size: some features (the
   * distance from home) depend on the world's density, and a smaller world
   * would look like drift. @defaultValue 'default'
   */
  readonly size?: SizePreset;
  /** Seed of the draws from the simulated pool. @defaultValue seed + 1 */
  readonly drawSeed?: number;
  readonly shifts?: readonly Shift[];
}

/**
 * An endless stream of realistic transactions: a fresh run of the model's
 * simulator (same generating process as the training data, another seed),
 * drawn at random so that every hour of the day and day of the week is
 * represented, optionally shifted to make drift appear.
 */
export function createTrafficSource(options: TrafficSourceOptions = {}): () => Record<string, number | boolean | string> {
  const seed = options.seed ?? 7;
  const size = options.size ?? 'default';
  const key = `${seed}/${size}`;
  // Simulating a world takes seconds; sources with the same world share one pool.
  let pool = pools.get(key);
  if (pool === undefined) {
    pool = simulateTransactions({ seed, size }).transactions;
    pools.set(key, pool);
  }
  const rng = createRng(options.drawSeed ?? seed + 1);
  const draw = pool;
  const shifts = options.shifts ?? [];
  return () => applyShifts({ ...rng.pick(draw).features }, shifts);
}
