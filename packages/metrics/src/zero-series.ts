import type { Counter } from 'prom-client';

/**
 * Exports 0 for each known label set of a counter, so rate() and increase()
 * have a series (and dashboards show 0, not "no data") before the first event.
 */
export function withZeroSeries<T extends string>(counter: Counter<T>, labelSets: readonly Partial<Record<T, string>>[]): Counter<T> {
  for (const labels of labelSets) counter.inc(labels, 0);
  return counter;
}
