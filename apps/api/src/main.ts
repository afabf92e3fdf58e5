import { setFlagsFromString } from 'node:v8';
import { runService } from '@vigil/config';
import { startApi } from './start-api';

// Most of the API's garbage is serialised log batches: strings of a few hundred
// kilobytes that only a full GC frees. By default V8 lets the heap grow to up to
// four times what is live before it runs one, so RSS climbed by ~90 MB under a
// steady load (bench api-memory). Growing by at most half keeps it near the live size;
// the full GCs this adds are incremental and concurrent, off the request path.
setFlagsFromString('--heap-growing-percent=50');

await runService('api', startApi);
