import { runService } from '@vigil/config';
import { startWorker } from './start-worker';

await runService('worker', startWorker);
