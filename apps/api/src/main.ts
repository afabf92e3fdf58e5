import { loadConfig, type Config } from '@vigil/config';
import { startApi } from './start-api';

let config: Config;
try {
  config = loadConfig(process.env);
} catch (error) {
  process.stderr.write(`vigil api: ${(error as Error).message}\n`);
  process.exit(2);
}

const api = await startApi(config).catch((error: Error) => {
  process.stderr.write(`vigil api: cannot start: ${error.message}\n`);
  process.exit(1);
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    api.close().then(
      () => process.exit(0),
      (error: Error) => {
        process.stderr.write(`vigil api: unclean shutdown: ${error.message}\n`);
        process.exit(1);
      },
    );
  });
}
