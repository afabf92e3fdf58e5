/** The exit codes of every `vigil` command: scripts and CI jobs branch on them. */
export const EXIT = {
  /** The command did what it was asked. */
  ok: 0,
  /** The command ran and failed (what that means is in each command's --help). */
  failed: 1,
  /** The command line was wrong: an unknown command or option, a bad or missing value, a bad environment variable. */
  usage: 2,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The program's own help ends with this: what the codes mean for every command. */
export const EXIT_CODES_HELP = `Exit codes:
  0  the command did what it was asked
  1  the command ran and failed (each command's --help says when)
  2  usage: an unknown command or option, a bad or missing value, or a setting
     in the environment that is refused`;

/** A command's help ends with what 0 and 1 mean for it; 2 is the same everywhere. */
export function exitCodesHelp(ok: string, failed: string): string {
  return `\nExit codes:\n  0  ${ok}\n  1  ${failed}\n  2  usage (an unknown option, a bad or missing value)`;
}

/**
 * A usage problem found after commander parsed the line (a setting
 * loadConfig refuses): the command stops with exit 2 and this message.
 */
export class UsageError extends Error {}
