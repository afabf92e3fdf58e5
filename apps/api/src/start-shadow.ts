import type { RedisConnection } from '@vigil/queue';
import type { Config } from '@vigil/config';
import type { ApiMetrics, Logger } from '@vigil/metrics';
import { createShadowScorer, loadModel, type ShadowScorer } from '@vigil/model';
import { createShadowLogger, type JournaledLoggerOptions, type ShadowLogger } from '@vigil/prediction-log';

/** What the shadow needs of a request the champion answered: its prediction ids and timestamp. */
export interface ShadowRequest {
  readonly predictionIds: readonly string[];
  readonly timestamp: string;
}

export interface RunningShadow {
  readonly scorer: ShadowScorer<ShadowRequest>;
  close(): Promise<void>;
}

/** The champion's features are not logged again: the shadow row joins them by prediction_id. */
const NO_FEATURES = Object.freeze({});

/**
 * Loads SHADOW_MODEL_PATH (checked against its spec like the champion, so a broken
 * challenger stops start-up) and wires its scores into a shadow logger: the same
 * journal, queue and worker as the champion's records, under the champion's ids.
 */
export async function startShadow(options: {
  readonly config: Config;
  readonly stream: JournaledLoggerOptions | undefined;
  readonly redis: RedisConnection | undefined;
  readonly metrics: ApiMetrics;
  readonly logger: Logger;
}): Promise<RunningShadow | undefined> {
  const { config, metrics, logger } = options;
  if (config.shadowModelPath === undefined || config.shadowModelSpecPath === undefined) return undefined;
  const runner = await loadModel({ modelPath: config.shadowModelPath, specPath: config.shadowModelSpecPath });
  let shadowLogger: ShadowLogger | undefined;
  if (options.stream !== undefined) {
    shadowLogger = createShadowLogger({
      ...options.stream,
      events: {
        dropped: (records, reason) => logger.error('shadow records dropped', { records, reason }),
        journalFailed: (error) => logger.error('the shadow journal cannot be written', { error: error.message }),
      },
    });
  }
  const version = runner.version;
  const scorer = createShadowScorer<ShadowRequest>({
    runner,
    maxPending: config.shadowMaxPending,
    onScored(request, scores, runMs) {
      metrics.shadowPredictions.inc({ model_version: version }, scores.length);
      metrics.shadowLatency.observe(runMs / 1000);
      if (shadowLogger === undefined) return;
      scores.forEach((score, i) => {
        shadowLogger.log({
          prediction_id: request.predictionIds[i] as string,
          timestamp: request.timestamp,
          model_version: version,
          features: NO_FEATURES,
          prediction: score.prediction,
          probability: score.probability,
          latency_ms: runMs,
          role: 'shadow',
        });
      });
    },
    onSkipped: (instances, reason) => metrics.shadowSkipped.inc({ reason }, instances),
  });
  logger.info('shadow model loaded: it scores every request after the answer', { model_version: version, logged: shadowLogger !== undefined });
  return {
    scorer,
    async close() {
      await scorer.close();
      await shadowLogger?.close();
    },
  };
}
