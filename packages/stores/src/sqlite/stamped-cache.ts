/**
 * Values kept by a stamp that names their inputs exactly (stored packed
 * lists by key and generation, never reused: see migration 14), so a kept
 * value is never stale. The oldest kept is dropped first once `capacity`
 * are kept.
 */
export class StampedCache<T> {
  private readonly kept = new Map<string, T>();

  constructor(private readonly capacity: number) {}

  get(stamp: string): T | undefined {
    return this.kept.get(stamp);
  }

  /** The kept value of `stamp`, or `make()`'s, kept. */
  getOrMake(stamp: string, make: () => T): T {
    const kept = this.kept.get(stamp);
    if (kept !== undefined) return kept;
    const value = make();
    this.set(stamp, value);
    return value;
  }

  set(stamp: string, value: T): void {
    if (!this.kept.has(stamp) && this.kept.size >= this.capacity) this.kept.delete(this.kept.keys().next().value!);
    this.kept.set(stamp, value);
  }
}
