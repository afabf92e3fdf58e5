import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARTIFACT_FILES, trainModel, writeArtifacts } from '../src/index';

describe('training: reproducible artifacts', function () {
  this.timeout(30_000);
  const dirs: string[] = [];
  const trainInto = (seed: number): string => {
    const dir = mkdtempSync(join(tmpdir(), `vigil-training-${seed}-`));
    dirs.push(dir);
    writeArtifacts(trainModel({ seed, size: 'tiny' }), dir);
    return dir;
  };
  let first = '';
  before(() => {
    first = trainInto(21);
  });
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('writes byte-identical files for the same seed and different ones for another seed', () => {
    const second = trainInto(21);
    const other = trainInto(22);
    for (const name of ARTIFACT_FILES) {
      expect(readFileSync(join(second, name)).equals(readFileSync(join(first, name))), `${name} differs between identical runs`).to.equal(true);
    }
    for (const name of ['model.onnx', 'model-card.json', 'reference.json']) {
      expect(readFileSync(join(other, name)).equals(readFileSync(join(first, name))), `${name} ignores the seed`).to.equal(false);
    }
    // The spec is the contract, not a training result: the same for every seed.
    expect(readFileSync(join(other, 'model.spec.json'), 'utf8')).to.equal(readFileSync(join(first, 'model.spec.json'), 'utf8'));
  });

  it('keeps the reference sample to about 5,000 training rows with one probability each', () => {
    const reference = JSON.parse(readFileSync(join(first, 'reference.json'), 'utf8')) as { rows: unknown[]; probabilities: number[]; seed: number };
    expect(reference.seed).to.equal(21);
    expect(reference.rows).to.have.length(5000);
    expect(reference.probabilities).to.have.length(5000);
    for (const p of reference.probabilities) expect(p).to.be.within(0, 1);
  });
});
