import { runService } from '@vigil/config';
import { lowerPriority } from './lower-priority';
import { startWorker } from './start-worker';

// In the worker process only, not in startWorker: tests and embedders run startWorker inside their own process.
await runService('worker', (config) => {
  const nice = lowerPriority(config.workerNice);
  return startWorker(config, { startedAtNice: nice });
});
