import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * Whether this run is CI's. CI systems set CI (GitHub Actions, GitLab, most
 * others); `CI=false` or `CI=0` says it is not.
 */
export function inCi(): boolean {
  const ci = process.env.CI?.trim().toLowerCase();
  return ci !== undefined && ci !== '' && ci !== '0' && ci !== 'false';
}

/** The executable `name` on PATH (then /usr/bin, /usr/local/bin), or undefined when there is none. */
export function findTool(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter((dir) => dir !== ''), '/usr/bin', '/usr/local/bin'];
  for (const dir of dirs) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      if (statSync(path).isFile()) return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

function notInstalled(name: string, installHint: string): string {
  return `${name} is not installed (${installHint}); .ci/run installs it`;
}

/**
 * The path of a tool a test cannot run without (chromium, promtool,
 * prometheus). Missing on a developer's machine, the test is skipped with a
 * warning saying how to install it; missing in CI (see {@link inCi}) it
 * fails, since a CI run that skips the test proves nothing it was meant to.
 * Call it first thing in the test or its `before` hook, with `this`.
 */
export function requireTool(ctx: Mocha.Context, name: string, installHint: string): string {
  const path = findTool(name);
  if (path !== undefined) return path;
  if (inCi()) throw new Error(`${notInstalled(name, installHint)}: in CI this test must run, not be skipped`);
  console.warn(`    ${notInstalled(name, installHint)}. Skipping.`);
  return ctx.skip();
}

/**
 * For an extra check inside a test that runs anyway: the tool's path, or,
 * missing on a developer's machine, undefined (with a warning, and the check
 * left out). Missing in CI it throws, as {@link requireTool} fails.
 */
export function optionalTool(name: string, installHint: string): string | undefined {
  const path = findTool(name);
  if (path !== undefined) return path;
  if (inCi()) throw new Error(`${notInstalled(name, installHint)}: in CI every check that needs it must run`);
  console.warn(`    ${notInstalled(name, installHint)}: leaving out the check that needs it.`);
  return undefined;
}
