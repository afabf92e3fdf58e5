import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** `npm run train-model -- …` as a user runs it, with stderr a pipe (no terminal): the progress comes as plain lines. */
function trainModel(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import=tsx', 'packages/training/src/cli.ts', ...args], (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr }),
    );
  });
}

describe('npm run train-model: progress', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'vigil-train-progress-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('tells each phase on stderr, training a tenth at a time, and keeps stdout for the summary', async function () {
    const run = await trainModel(['--size', 'tiny', '--out', dir]);
    expect(run.code, run.stderr).to.equal(0);
    const lines = run.stderr.trim().split('\n');
    expect(lines[0]).to.equal('simulating the transactions…');
    const training = lines.filter((line) => line.startsWith('training: '));
    expect(training.map((line) => /^training: (\d+)%/.exec(line)?.[1])).to.deep.equal(['0', '10', '20', '30', '40', '50', '60', '70', '80', '90', '100']);
    expect(training.at(-1)).to.match(/^training: 100% epoch 6 of 6, step ([\d,]+) of \1$/);
    expect(lines.slice(-2)).to.deep.equal(['scoring the train and test sets, building the artifacts…', `writing the artifacts to ${dir}…`]);
    expect(run.stdout).to.match(/^Trained \S+ \(seed 42, size tiny\) in [\d.]+ s\n/);
    expect(run.stdout).not.to.include('training:');
    expect(readdirSync(dir)).to.include('model.onnx');
  });
});
