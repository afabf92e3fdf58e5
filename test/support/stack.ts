import type { Config } from '@vigil/config';
import { startApi, type RunningApi } from '../../apps/api/src/start-api';
import { startWorker, type RunningWorker } from '../../apps/worker/src/start-worker';
import { dropSchema } from './test-env';

export interface Stack {
  readonly config: Config;
  readonly api: RunningApi;
  readonly worker: RunningWorker;
  close(): Promise<void>;
}

/** API and worker on real Redis, SQLite and Postgres, with the test's own names. */
export async function startStack(config: Config): Promise<Stack> {
  const worker = await startWorker(config);
  const api = await startApi(config);
  return {
    config,
    api,
    worker,
    async close() {
      await api.close();
      await worker.close();
      await dropSchema(config.auditSchema);
    },
  };
}
