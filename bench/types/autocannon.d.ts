/**
 * The part of autocannon's programmatic API the benchmarks use. autocannon
 * ships no types, and @types/autocannon would be one more dependency for a
 * handful of fields.
 */
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  interface Histogram {
    readonly min: number;
    readonly max: number;
    readonly average: number;
    readonly mean: number;
    readonly stddev: number;
    readonly p2_5: number;
    readonly p50: number;
    readonly p75: number;
    readonly p90: number;
    readonly p97_5: number;
    readonly p99: number;
    readonly p99_9: number;
    readonly totalCount?: number;
  }

  interface Result {
    readonly duration: number;
    readonly errors: number;
    readonly timeouts: number;
    readonly non2xx: number;
    readonly '2xx': number;
    readonly statusCodeStats: Readonly<Record<string, { count: number }>>;
    readonly latency: Histogram;
    readonly requests: Histogram & { readonly sent: number; readonly total: number };
  }

  interface Options {
    url: string;
    method?: 'GET' | 'POST';
    headers?: Record<string, string>;
    body?: string | Buffer;
    connections?: number;
    duration?: number;
    amount?: number;
    timeout?: number;
    overallRate?: number;
    excludeErrorStats?: boolean;
  }

  interface Instance extends EventEmitter, PromiseLike<Result> {
    stop(): void;
  }

  function autocannon(options: Options): Instance;
  export default autocannon;
  export type { Histogram, Instance, Options, Result };
}
