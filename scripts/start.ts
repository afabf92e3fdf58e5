/**
 * `npm start`: the API and the log worker as two processes, as in production.
 * Starts a private Redis when none answers at REDIS_URL and redis-server is
 * installed. Ctrl-C (or SIGTERM) stops both cleanly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { loadConfig } from '@vigil/config';
import { redisAnswers, startPrivateRedis } from './ensure-redis';

const say = (line: string) => process.stderr.write(`vigil: ${line}\n`);

let config;
try {
  config = loadConfig(process.env);
} catch (error) {
  say((error as Error).message);
  process.exit(2);
}

if (!existsSync(config.modelPath)) {
  say(`no model at ${config.modelPath}; run \`npm run train-model\` or set MODEL_PATH`);
  process.exit(2);
}

const children: ChildProcess[] = [];
if (config.predictionLogging && !(await redisAnswers(config.redisUrl))) {
  const redis = startPrivateRedis(config.redisUrl);
  if (redis === undefined) {
    say(`no Redis answers at ${config.redisUrl} and redis-server is not installed.`);
    say(
      'Install it (Debian/Ubuntu: `apt-get install redis-server`, macOS: `brew install redis`), ' +
        'run one with Docker (`docker compose up redis`), or point REDIS_URL at yours.',
    );
    process.exit(2);
  }
  children.push(redis);
  say(`no Redis answered at ${config.redisUrl}: started a private redis-server (data in artifacts/redis, AOF on)`);
  for (let i = 0; i < 50 && !(await redisAnswers(config.redisUrl)); i++) await delay(100);
}

function run(name: string, entry: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { stdio: 'inherit', env: process.env });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      say(`${name} exited (${signal ?? code}); stopping the others`);
      void stop(1, 'SIGINT');
    }
  });
  children.push(child);
  return child;
}

let stopping = false;
/**
 * Passes the signal on: Ctrl-C (SIGINT) makes the API drain at once, SIGTERM gives it its
 * SHUTDOWN_GRACE_MS first, as an orchestrator's would. A crashed sibling stops the rest at once.
 */
async function stop(exitCode: number, signal: 'SIGINT' | 'SIGTERM'): Promise<void> {
  stopping = true;
  // API and worker first (they flush and finish their batches), Redis last.
  const [redis, ...rest] = children[0]?.spawnfile.includes('redis') ? children : [undefined, ...children];
  await Promise.all(
    rest.map((child) =>
      child && child.exitCode === null
        ? new Promise((r) => {
            child.once('exit', r);
            child.kill(signal);
          })
        : undefined,
    ),
  );
  redis?.kill('SIGTERM');
  process.exit(exitCode);
}

run('worker', 'apps/worker/src/main.ts');
run('api', 'apps/api/src/main.ts');
process.once('SIGINT', () => void stop(0, 'SIGINT'));
process.once('SIGTERM', () => void stop(0, 'SIGTERM'));
say(
  `API on http://localhost:${config.port} (POST /predict, GET /monitoring/latency); worker writing ${config.sqlitePath}${config.auditDatabaseUrl ? ' and the Postgres audit' : ''}`,
);
