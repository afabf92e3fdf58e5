import type { FeatureRecord } from './model-spec';
import type { ModelRunner, Scored } from './model-runner';

/** Options for {@link batchInference}. */
export interface InferenceBatchOptions {
  /** Longest a request waits for others to share its session.run. @defaultValue 1 */
  readonly maxWaitMs?: number;
  /** Run as soon as this many instances are waiting. @defaultValue 256 */
  readonly maxInstances?: number;
}

/**
 * Dynamic batching in the style of Triton's: score calls that arrive within
 * `maxWaitMs` of each other share one session.run. Wraps a runner and keeps
 * its interface, so the API can use either.
 */
export function batchInference(runner: ModelRunner, options: InferenceBatchOptions = {}): ModelRunner {
  const maxWaitMs = options.maxWaitMs ?? 1;
  const maxInstances = options.maxInstances ?? 256;
  let waiting: { records: readonly FeatureRecord[]; resolve: (scores: Scored[]) => void; reject: (error: unknown) => void }[] = [];
  let size = 0;
  let timer: NodeJS.Timeout | undefined;

  function run(): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    const batch = waiting;
    waiting = [];
    size = 0;
    const all = batch.flatMap((entry) => entry.records);
    runner.score(all).then(
      (scores) => {
        let at = 0;
        for (const entry of batch) {
          entry.resolve(scores.slice(at, at + entry.records.length));
          at += entry.records.length;
        }
      },
      (error: unknown) => batch.forEach((entry) => entry.reject(error)),
    );
  }

  return {
    spec: runner.spec,
    version: runner.version,
    score(records) {
      return new Promise<Scored[]>((resolve, reject) => {
        waiting.push({ records, resolve, reject });
        size += records.length;
        if (size >= maxInstances) run();
        else timer ??= setTimeout(run, maxWaitMs);
      });
    },
    close: () => runner.close(),
  };
}
