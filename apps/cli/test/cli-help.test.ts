import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { runCli } from './support/run-cli';

/** Every command `vigil` runs, and an option each one's help must list. */
const COMMANDS: readonly [string, string][] = [
  ['dlq list', '--limit <n>'],
  ['dlq show', '<id>'],
  ['dlq replay', '--all'],
  ['queue stats', '--minutes <n>'],
  ['spool status', '--dir <path>'],
  ['drift report', '--window <duration>'],
  ['performance report', '--bucket <size>'],
  // A template literal: test/repo/package-graph.test.ts would read import and a quote as the start of a module name.
  [`feedback import`, '--batch-size <n>'],
  ['model init', '--categories <column=a,b,c>'],
  ['model replay', '--out <file>'],
  ['export', '--format <format>'],
];

describe('vigil: help, typos and exit codes', function () {
  this.timeout(120_000);

  it('`vigil --help` lists every command and the exit codes, on stdout, exit 0', async function () {
    const run = await runCli(['--help']);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/^Usage: vigil <command> \[options\]/);
    for (const [command] of COMMANDS) expect(run.stdout).to.match(new RegExp(`^ {2}${command} `, 'm'), command);
    expect(run.stdout).to.include('Exit codes:\n  0  the command did what it was asked\n  1  the command ran and failed');
    expect(run.stdout).to.match(/^ {2}2 {2}usage: an unknown command or option/m);
    expect(run.stderr).to.equal('');
  });

  it('answers --help for every command with its usage, options and exit codes, exit 0', async function () {
    const runs = await Promise.all(COMMANDS.map(([command]) => runCli([...command.split(' '), '--help'])));
    COMMANDS.forEach(([command, option], i) => {
      const run = runs[i]!;
      expect(run.code, `${command}: ${run.stderr}`).to.equal(0);
      expect(run.stdout, command).to.match(new RegExp(`^Usage: vigil ${command} `));
      expect(run.stdout, command).to.include(option);
      expect(run.stdout, command).to.match(/^ {2}-h, --help +display help for command$/m);
      expect(run.stdout, command).to.match(/Exit codes:\n {2}0 {2}\S.*\n {2}1 {2}\S.*\n {2}2 {2}usage/);
    });
    const viaHelp = await runCli(['help', 'dlq']);
    expect(viaHelp.code).to.equal(0);
    expect(viaHelp.stdout).to.match(/^Usage: vigil dlq /);
    expect(viaHelp.stdout).to.match(/^ {2}dlq replay \[options\] \[ids\.\.\.\]/m);
  });

  it('refuses a mistyped option and an unknown command with exit 2, naming them and the near spelling', async function () {
    const [option, command, verb, value] = await Promise.all([
      runCli(['dlq', 'list', '--limt', '5']),
      runCli(['drfit', 'report']),
      runCli(['dlq', 'lst']),
      runCli(['queue', 'stats', '--minutes', 'soon']),
    ]);
    expect(option.code).to.equal(2);
    expect(option.stderr).to.match(/^error: unknown option '--limt'\n\(Did you mean --limit\?\)\n/);
    expect(option.stderr).to.include('Usage: vigil dlq list [options]');
    expect(option.stdout).to.equal('');
    expect(command.code).to.equal(2);
    expect(command.stderr).to.match(/^error: unknown command 'drfit'\n\(Did you mean drift\?\)/);
    expect(verb.code).to.equal(2);
    expect(verb.stderr).to.match(/^error: unknown command 'lst'\n\(Did you mean list\?\)/);
    expect(value.code).to.equal(2);
    expect(value.stderr).to.match(/^error: option '--minutes <n>' argument 'soon' is invalid\. expected a whole number from 1 to 10080/);
  });

  it('exits 2 with the usage for a missing command, verb or argument, and for a refused setting', async function () {
    const [bare, group, argument, both, setting] = await Promise.all([
      runCli([]),
      runCli(['dlq']),
      runCli(['dlq', 'show']),
      runCli(['dlq', 'replay', 'some-id', '--all']),
      runCli(['queue', 'stats'], { JOURNAL_LEASE_MS: '5' }),
    ]);
    expect(bare.code).to.equal(2);
    expect(bare.stderr).to.match(/^Usage: vigil <command> \[options\]/);
    expect(group.code).to.equal(2);
    expect(group.stderr).to.match(/^Usage: vigil dlq /);
    expect(argument.code).to.equal(2);
    expect(argument.stderr).to.match(/^error: missing required argument 'id'/);
    expect(both.code).to.equal(2);
    expect(both.stderr).to.match(/^error: give ids or --all, not both/);
    expect(setting.code).to.equal(2);
    expect(setting.stderr).to.match(/^vigil: Invalid configuration:[\s\S]*JOURNAL_LEASE_MS/);
  });

  it('runs as `vigil` through bin/vigil.js from any directory', async function () {
    const bin = new URL('../../../bin/vigil.js', import.meta.url).pathname;
    const run = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(process.execPath, [bin, 'spool', 'status', '--help'], { cwd: tmpdir() }, (error, stdout) =>
        resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout }),
      );
    });
    expect(run.code).to.equal(0);
    expect(run.stdout).to.match(/^Usage: vigil spool status \[options\]/);
  });
});
