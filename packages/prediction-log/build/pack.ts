// npm run package -w @vigil/prediction-log -- [--to FILE]
// Builds the installable package and writes its tarball to FILE (relative to
// where npm was run), by default vigil-prediction-log-<version>.tgz there.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PACKAGE_DIR, packPackage } from './build-package';

const { values } = parseArgs({ options: { to: { type: 'string' } }, strict: true });
const { version } = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string };
// npm runs a workspace's script in the workspace's folder; INIT_CWD is where the person typed the command.
const from = process.env.INIT_CWD ?? process.cwd();
console.log(await packPackage(resolve(from, values.to ?? `vigil-prediction-log-${version}.tgz`)));
