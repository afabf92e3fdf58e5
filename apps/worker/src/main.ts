import { loadConfig, type Config } from '@vigil/config';
import { startWorker } from './start-worker';

let config: Config;
try {
  config = loadConfig(process.env);
} catch (error) {
  process.stderr.write(`vigil worker: ${(error as Error).message}\n`);
  process.exit(2);
}

const worker = await startWorker(config).catch((error: Error) => {
  process.stderr.write(`vigil worker: cannot start: ${error.message}\n`);
  process.exit(1);
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    worker.close().then(
      () => process.exit(0),
      (error: Error) => {
        process.stderr.write(`vigil worker: unclean shutdown: ${error.message}\n`);
        process.exit(1);
      },
    );
  });
}
