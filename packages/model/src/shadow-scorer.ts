import type { FeatureRecord, FeatureValue } from './model-spec';
import type { ModelRunner, Scored } from './model-runner';
import { findFeatureProblems } from './validate-features';

/** Why the shadow did not score an instance. */
export type ShadowSkipReason = 'behind' | 'invalid' | 'failed';

export interface ShadowScorerOptions<T> {
  readonly runner: ModelRunner;
  /**
   * Instances waiting beyond this are skipped (`behind`): the challenger must never
   * build a backlog that costs the champion's requests memory or CPU.
   * @defaultValue 1024
   */
  readonly maxPending?: number;
  /** Instances per session.run. @defaultValue 256 */
  readonly maxBatch?: number;
  /** The scores of one submitted request, in its order, and the run's duration. */
  onScored(context: T, scores: readonly Scored[], runMs: number): void;
  onSkipped(instances: number, reason: ShadowSkipReason): void;
}

export interface ShadowScorer<T> {
  readonly version: string;
  /** Hands a request's validated records over; returns at once and never throws. */
  submit(records: readonly FeatureRecord[], context: T): void;
  /** Resolves once everything submitted so far is scored (shutdown, tests). */
  drain(): Promise<void>;
  close(): Promise<void>;
}

interface Pending<T> {
  readonly records: readonly FeatureRecord[];
  readonly context: T;
}

/**
 * Scores requests through a challenger model after the champion has answered:
 * `submit` only queues, a macrotask later one session.run scores what waits
 * (one run at a time), and anything beyond `maxPending` is skipped and counted
 * instead of delaying anyone. Records the champion accepted but the
 * challenger's spec refuses (a narrower range, a feature it lacks) are
 * skipped as `invalid`, never fed to it.
 */
export function createShadowScorer<T>(options: ShadowScorerOptions<T>): ShadowScorer<T> {
  const { runner } = options;
  const maxPending = options.maxPending ?? 1024;
  const maxBatch = options.maxBatch ?? 256;
  const queue: Pending<T>[] = [];
  let pending = 0;
  let running: Promise<void> | undefined;
  // The challenger may use fewer features than the champion: it is fed (and checked on) its own only.
  const names = runner.spec.features.map((feature) => feature.name);
  const project = (record: FeatureRecord): FeatureRecord =>
    Object.fromEntries(names.filter((name) => Object.hasOwn(record, name)).map((name) => [name, record[name] as FeatureValue]));
  const fitsSpec = (record: FeatureRecord) => findFeatureProblems(runner.spec, project(record), 'features').length === 0;

  async function runAll(): Promise<void> {
    while (queue.length > 0) {
      const batch: Pending<T>[] = [];
      let size = 0;
      while (queue.length > 0 && (batch.length === 0 || size + (queue[0] as Pending<T>).records.length <= maxBatch)) {
        const next = queue.shift() as Pending<T>;
        batch.push(next);
        size += next.records.length;
      }
      pending -= size;
      const scorable = batch.filter((entry) => {
        if (entry.records.every(fitsSpec)) return true;
        options.onSkipped(entry.records.length, 'invalid');
        return false;
      });
      if (scorable.length === 0) continue;
      const started = performance.now();
      try {
        const scores = await runner.score(scorable.flatMap((entry) => entry.records.map(project)));
        const runMs = performance.now() - started;
        let at = 0;
        for (const entry of scorable) {
          options.onScored(entry.context, scores.slice(at, at + entry.records.length), runMs);
          at += entry.records.length;
        }
      } catch {
        options.onSkipped(
          scorable.reduce((sum, entry) => sum + entry.records.length, 0),
          'failed',
        );
      }
    }
  }

  function schedule(): void {
    // setImmediate: after the champion's answer has been written, never before it.
    running ??= new Promise<void>((resolve) => setImmediate(resolve)).then(runAll).finally(() => {
      running = undefined;
      if (queue.length > 0) schedule();
    });
  }

  return {
    version: runner.version,
    submit(records, context) {
      // Only a length check here: validation and projection wait for the run, off the request's turn.
      if (pending + records.length > maxPending) return options.onSkipped(records.length, 'behind');
      queue.push({ records, context });
      pending += records.length;
      schedule();
      return undefined;
    },
    async drain() {
      while (running !== undefined) await running;
    },
    async close() {
      await this.drain();
      await runner.close();
    },
  };
}
