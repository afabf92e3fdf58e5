import { runService } from '@vigil/config';
import { startApi } from './start-api';

await runService('api', startApi);
