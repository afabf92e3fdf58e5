import { expect } from 'chai';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadReference } from '@vigil/drift';
import { loadModel, loadModelSpec, type FeatureRecord } from '@vigil/model';
import { loadQualityCalibrator } from '@vigil/monitoring';
import { runCli } from './support/run-cli';

const FIXTURES = 'packages/model/test/fixtures/models';

/** `vigil …` as a user runs it. */
const cli = (...args: string[]) => runCli(args);

/** --categories for each categorical of the fixture's own spec: the one-hot order its exporter used. */
function categoryFlags(fixture: string): string[] {
  return loadModelSpec(join(FIXTURES, fixture, 'model.spec.json')).features.flatMap((feature) =>
    feature.type === 'categorical' ? ['--categories', `${feature.name}=${feature.categories.join(',')}`] : [],
  );
}

async function largestDifference(dir: string, fixture: string): Promise<number> {
  const expected = JSON.parse(readFileSync(join(FIXTURES, fixture, 'expected.json'), 'utf8')) as { instances: FeatureRecord[]; probabilities: number[] };
  const runner = await loadModel({ modelPath: join(dir, 'model.onnx'), specPath: join(dir, 'model.spec.json') });
  try {
    const scores = await runner.score(expected.instances);
    return Math.max(...scores.map((score, i) => Math.abs(score.probability - expected.probabilities[i]!)));
  } finally {
    await runner.close();
  }
}

describe('vigil model init', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(function () {
    dir = mkdtempSync(join(tmpdir(), 'vigil-cli-model-init-'));
  });
  afterEach(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  function copy(fixture: string): { model: string; sample: string } {
    copyFileSync(join(FIXTURES, fixture, 'model.onnx'), join(dir, 'model.onnx'));
    copyFileSync(join(FIXTURES, fixture, 'sample.csv'), join(dir, 'sample.csv'));
    return { model: join(dir, 'model.onnx'), sample: join(dir, 'sample.csv') };
  }

  it('writes the spec and both references of a tensor-layout model, prints what it inferred and how to serve it', async function () {
    const { model, sample } = copy('sklearn-logreg-zipmap');
    // A label column: left out of the features, written with the scores for CBPE.
    const lines = readFileSync(sample, 'utf8').trim().split('\n');
    writeFileSync(sample, lines.map((line, i) => `${line},${i === 0 ? 'is_fraud' : i % 7 === 0 ? 1 : 0}`).join('\n') + '\n');
    const run = await cli(
      'model',
      'init',
      model,
      '--sample',
      sample,
      '--label',
      'is_fraud',
      '--version',
      'logreg@3.1.0',
      ...categoryFlags('sklearn-logreg-zipmap'),
    );
    expect(run.code, run.stdout).to.equal(0);
    expect(run.stdout).to.match(/^ {2}amount +number +0 to 6100 +6\.31 to 604\.13, median 55\.175 \(long tail\)$/m);
    expect(run.stdout).to.match(/^ {2}merchant_type +categorical +grocery, electronics, travel, gaming +4 distinct, order from --categories$/m);
    expect(run.stdout).to.include('input:  tensor: one input float_input float32 [?, 9]');
    expect(run.stdout).to.include(
      'output: output_probability (ZipMap, class labels 0, 1): a ZipMap of class probabilities; the positive class is label 1, column 1',
    );
    expect(run.stdout).to.match(/Review the ranges in .*model\.spec\.json: \/predict refuses \(422\) any value outside them/);
    expect(run.stdout).to.include(`wrote ${join(dir, 'quality-reference.json')} (200 labeled probabilities`);
    expect(run.stdout.trim().split('\n').at(-1)).to.equal(`  MODEL_PATH=${model} npm start`);

    const spec = loadModelSpec(join(dir, 'model.spec.json'));
    expect(spec.model_version).to.equal('logreg@3.1.0');
    expect(spec.features.map((feature) => feature.name)).not.to.include('is_fraud');
    expect(await largestDifference(dir, 'sklearn-logreg-zipmap')).to.be.below(1e-5);
    // The readers serving uses accept what was written.
    expect(loadReference(join(dir, 'reference.json'))).to.include({ model_version: 'logreg@3.1.0' });
    expect(loadQualityCalibrator(join(dir, 'quality-reference.json'))).to.include({ model_version: 'logreg@3.1.0', rows: 200 });
  });

  it('writes the spec of a per-feature model, with --input for an input named otherwise', async function () {
    const { model, sample } = copy('sklearn-forest-named-inputs');
    const unmapped = await cli('model', 'init', model, '--sample', sample);
    expect(unmapped.code).to.equal(1);
    expect(unmapped.stdout).to.match(/model init: the model's inputs do not fit the sample's feature columns:\n {2}model inputs: amount float32 \[\?, 1\];/);
    const run = await cli('model', 'init', model, '--sample', sample, '--input', 'merchant_type=merchant');
    expect(run.code, run.stdout).to.equal(0);
    expect(run.stdout).to.include('input:  per_feature: one input per feature: amount → amount float32 [?, 1];');
    expect(run.stdout).to.include('merchant_type → merchant string [?, 1]');
    expect(loadModelSpec(join(dir, 'model.spec.json'))).to.include({ input_layout: 'per_feature', output_name: 'output_probability' });
    expect(await largestDifference(dir, 'sklearn-forest-named-inputs')).to.be.below(1e-5);
  });

  it('answers --help, refuses unknown options and bad values with exit 2, and an existing spec with exit 1', async function () {
    const help = await cli('model', 'init', '--help');
    expect(help.code).to.equal(0);
    expect(help.stdout).to.match(/^Usage: vigil model init \[options\] <model\.onnx>/);
    expect(help.stdout).to.match(/^ {2}--sample <sample\.csv> +a CSV sample/m);
    const { model, sample } = copy('sklearn-logreg-tensor');
    const unknown = await cli('model', 'init', model, '--sample', sample, '--treshold', '0.3');
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.match(/^error: unknown option '--treshold'\n\(Did you mean --threshold\?\)/);
    const noSample = await cli('model', 'init', model);
    expect(noSample.code).to.equal(2);
    expect(noSample.stderr).to.match(/^error: required option '--sample <sample\.csv>' not specified/);
    const threshold = await cli('model', 'init', model, '--sample', sample, '--threshold', '1.5');
    expect(threshold.code).to.equal(2);
    expect(threshold.stderr).to.match(/argument '1\.5' is invalid\. threshold must be a decimal number strictly between 0 and 1/);
    const input = await cli('model', 'init', model, '--sample', sample, '--input', 'merchant');
    expect(input.code).to.equal(2);
    expect(input.stderr).to.match(/^error: option '--input <column=input>' argument 'merchant' is invalid\. expected column=value/);
    const twice = await cli('model', 'init', model, '--sample', sample, '--input', 'a=x', '--input', 'a=y');
    expect(twice.code).to.equal(2);
    expect(twice.stderr).to.match(/^error: --input: column a is given twice/);
    expect((await cli('model', 'frobnicate')).code).to.equal(2);

    expect((await cli('model', 'init', model, '--sample', sample)).code).to.equal(0);
    const again = await cli('model', 'init', model, '--sample', sample);
    expect(again.code).to.equal(1);
    expect(again.stdout).to.match(/already exist\(s\) beside the model; run again with --force/);
    expect((await cli('model', 'init', model, '--sample', sample, '--force', '--threshold', '0.25')).code).to.equal(0);
    expect(loadModelSpec(join(dir, 'model.spec.json')).threshold).to.equal(0.25);
  });
});
