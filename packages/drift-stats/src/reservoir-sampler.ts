import { DriftStatsError } from './errors';
import { mulberry32 } from './mulberry32';

export interface ReservoirSamplerOptions {
  /** Most values kept; past it, each new value replaces a random kept one with falling probability. */
  readonly capacity: number;
  /**
   * Seed of the PRNG (any 32-bit integer), so a window's sample, and the
   * drift verdict computed on it, reproduce exactly.
   * @defaultValue 0
   */
  readonly seed?: number;
}

/**
 * Uniform random sample of fixed size from a stream of unknown length
 * (Vitter's Algorithm R), used to cap how many values a drift window keeps:
 * after n values, each of them is in the sample with probability
 * capacity/n, in O(1) time per value and O(capacity) memory.
 */
export class ReservoirSampler<T = number> {
  private readonly capacity: number;
  private readonly reservoir: T[] = [];
  private readonly nextUint32: () => number;
  private count = 0;

  constructor(options: ReservoirSamplerOptions) {
    const { capacity, seed = 0 } = options;
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new DriftStatsError('INVALID_OPTION', `capacity must be a positive integer, got ${capacity}`, { option: 'capacity', value: capacity });
    }
    if (!Number.isInteger(seed)) {
      throw new DriftStatsError('INVALID_OPTION', `seed must be an integer, got ${seed}`, { option: 'seed', value: seed });
    }
    this.capacity = capacity;
    this.nextUint32 = mulberry32(seed);
  }

  /** How many values have been offered so far (kept or not). */
  get seen(): number {
    return this.count;
  }

  add(value: T): void {
    this.count++;
    if (this.reservoir.length < this.capacity) {
      this.reservoir.push(value);
      return;
    }
    // Keep the new value with probability capacity/count, in a uniformly chosen slot.
    const slot = this.uniformBelow(this.count);
    if (slot < this.capacity) this.reservoir[slot] = value;
  }

  /** A copy of the values kept, in slot order (not arrival order). */
  sample(): T[] {
    return [...this.reservoir];
  }

  /**
   * Uniform integer in [0, n). Two 32-bit draws make a 53-bit uniform, so the
   * slot stays unbiased long after the stream passes 2^32 values.
   */
  private uniformBelow(n: number): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return Math.floor(((high * 67108864 + low) / 9007199254740992) * n);
  }
}
