/**
 * `npm run cli -- <command>`: operator tools. Reads the same environment
 * variables as the API and worker (REDIS_URL, QUEUE_NAME, ...).
 */
import { loadConfig } from '@vigil/config';
import { dlqCommand } from './dlq-command';
import { driftCommand } from './drift-command';
import { feedbackCommand } from './feedback-command';
import { modelCommand } from './model-command';
import { performanceCommand } from './performance-command';

const out = (line: string) => process.stdout.write(line + '\n');
const [command, ...args] = process.argv.slice(2);

let config;
try {
  config = loadConfig(process.env);
} catch (error) {
  process.stderr.write(`vigil cli: ${(error as Error).message}\n`);
  process.exit(2);
}

const commands: Record<string, (a: readonly string[]) => Promise<number>> = {
  dlq: (a) => dlqCommand(config, a, out),
  drift: (a) => driftCommand(config, a, out),
  feedback: (a) => feedbackCommand(config, a, { out, progress: process.stderr }),
  model: (a) => modelCommand(config, a, { out, progress: process.stderr }),
  performance: (a) => performanceCommand(config, a, out),
};

const run = command === undefined ? undefined : commands[command];
if (run === undefined) {
  out(`usage: npm run cli -- <${Object.keys(commands).join('|')}> ...`);
  process.exit(2);
}
process.exit(await run(args));
