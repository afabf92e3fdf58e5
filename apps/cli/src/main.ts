/**
 * `vigil <command>` (bin/vigil.js, or `npm run cli -- <command>`): the
 * operator commands. They read the same environment variables as the API
 * and the worker (REDIS_URL, QUEUE_NAME, SQLITE_PATH, ...).
 */
import { VIGIL_COMMANDS } from './commands';
import { runCli } from './program/run-cli';

const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }, VIGIL_COMMANDS);
// Exit now: a Redis connection or a pool closing in the background must not hold the answer back.
process.exit(code);
