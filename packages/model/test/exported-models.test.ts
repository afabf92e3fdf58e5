import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel, ModelError, type FeatureRecord } from '../src/index';

/** Models exported from scikit-learn and torch by fixtures/make_models.py, with the libraries' own probabilities. */
const MODELS = fileURLToPath(new URL('./fixtures/models/', import.meta.url));
const EXPORTED = ['sklearn-logreg-zipmap', 'sklearn-logreg-tensor', 'sklearn-forest-named-inputs', 'torch-mlp-logit', 'torch-mlp-softmax', 'sigmoid-vector'];

interface Expected {
  readonly instances: FeatureRecord[];
  readonly probabilities: number[];
  readonly library: string;
}

async function loadFailure(modelPath: string, specPath: string): Promise<ModelError> {
  try {
    const runner = await loadModel({ modelPath, specPath });
    await runner.close();
  } catch (error) {
    expect(error).to.be.instanceOf(ModelError);
    return error as ModelError;
  }
  throw new Error(`${modelPath} loaded, but should not have`);
}

describe('serving exported models (onnxruntime-node against the exporting library)', function () {
  this.timeout(30_000);

  for (const name of EXPORTED) {
    it(`${name}: every probability within 1e-5 of the library's, and the threshold applied`, async () => {
      const dir = join(MODELS, name);
      const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
      const runner = await loadModel({ modelPath: join(dir, 'model.onnx'), specPath: join(dir, 'model.spec.json') });
      try {
        const scores = await runner.score(expected.instances);
        expect(scores).to.have.length(expected.probabilities.length);
        let largest = 0;
        scores.forEach((score, i) => {
          const reference = expected.probabilities[i] as number;
          largest = Math.max(largest, Math.abs(score.probability - reference));
          expect(score.prediction).to.equal(score.probability >= runner.spec.threshold ? 1 : 0);
        });
        expect(largest, `largest difference from ${expected.library}`).to.be.below(1e-5);
        // Both classes occur, so a constant output cannot pass.
        expect(new Set(scores.map((score) => score.prediction)).size).to.equal(2);
        // One request at a time gives the same answers as the batch.
        const [single] = await runner.score([expected.instances[3] as FeatureRecord]);
        expect(single?.probability).to.be.closeTo(scores[3]?.probability as number, 1e-6);
      } finally {
        await runner.close();
      }
    });
  }

  describe('load refuses what would fail per request, naming the mismatch', () => {
    const broken = join(MODELS, 'broken');
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'vigil-model-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    /** A fixture model with its spec changed by `change`. */
    function variant(name: string, change: (spec: Record<string, unknown>) => Record<string, unknown>): { modelPath: string; specPath: string } {
      const spec = JSON.parse(readFileSync(join(MODELS, name, 'model.spec.json'), 'utf8')) as Record<string, unknown>;
      copyFileSync(join(MODELS, name, 'model.onnx'), join(dir, 'model.onnx'));
      writeFileSync(join(dir, 'model.spec.json'), JSON.stringify(change(spec)));
      return { modelPath: join(dir, 'model.onnx'), specPath: join(dir, 'model.spec.json') };
    }

    it('a three-class output', async () => {
      const error = await loadFailure(join(broken, 'three-class.onnx'), join(broken, 'three-class.spec.json'));
      expect(error.code).to.equal('MODEL_SPEC_MISMATCH');
      expect(error.message).to.match(/has 3 columns: Vigil monitors binary classifiers/);
    });

    it("an input width that differs from the spec's encoded features", async () => {
      const error = await loadFailure(join(broken, 'wrong-width.onnx'), join(broken, 'wrong-width.spec.json'));
      expect(error.code).to.equal('MODEL_SPEC_MISMATCH');
      expect(error.message).to.match(/input "float_input" takes 11 values per row, but the spec's features encode to 9/);
    });

    it('an input_name the model does not have, listing the ones it has', async () => {
      const paths = variant('sklearn-logreg-tensor', (spec) => ({ ...spec, input_name: 'features' }));
      const error = await loadFailure(paths.modelPath, paths.specPath);
      expect(error.message).to.match(/input_name "features" is not an input of the model, whose inputs are: float_input float32/);
    });

    it('an output_name the model does not have', async () => {
      const paths = variant('sklearn-logreg-tensor', (spec) => ({ ...spec, output_name: 'probability' }));
      const error = await loadFailure(paths.modelPath, paths.specPath);
      expect(error.message).to.match(/output_name "probability" is not an output of the model, whose outputs are: label, probabilities/);
    });

    it('a positive class index past the last column', async () => {
      const paths = variant('sklearn-logreg-zipmap', (spec) => ({ ...spec, positive_class_index: 2 }));
      const error = await loadFailure(paths.modelPath, paths.specPath);
      expect(error.message).to.match(/positive_class_index 2 is out of range .* 2 columns \(class labels 0, 1\)/);
    });

    it('a sigmoid declared on a two-column output', async () => {
      const paths = variant('sklearn-logreg-tensor', (spec) => ({ ...spec, output_transform: 'sigmoid' }));
      const error = await loadFailure(paths.modelPath, paths.specPath);
      expect(error.message).to.match(/"sigmoid" needs a one-column logit/);
    });

    it('a per-feature model served with the tensor layout', async () => {
      const paths = variant('sklearn-forest-named-inputs', (spec) => ({ ...spec, input_layout: 'tensor', input_name: 'amount' }));
      const error = await loadFailure(paths.modelPath, paths.specPath);
      expect(error.message).to.match(/input "amount" takes 1 values per row, but the spec's features encode to 9/);
    });

    it('a categorical feature fed to a numeric input', async () => {
      const paths = variant('sklearn-forest-named-inputs', (spec) => ({
        ...spec,
        features: (spec.features as { name: string; input?: string }[]).map((feature) =>
          feature.name === 'merchant_type' ? { ...feature, input: 'amount' } : feature,
        ),
      }));
      const error = await loadFailure(paths.modelPath, paths.specPath);
      expect(error.message).to.match(/categorical feature "merchant_type" feeds input "amount", which is float32; it needs a string input/);
    });

    it('a model input no feature feeds', async () => {
      const paths = variant('sklearn-forest-named-inputs', (spec) => ({
        ...spec,
        features: (spec.features as { name: string }[]).filter((feature) => feature.name !== 'distance_km'),
      }));
      const error = await loadFailure(paths.modelPath, paths.specPath);
      expect(error.message).to.match(/no feature feeds the model's input\(s\) distance_km/);
    });

    it('a logit output served as a probability: the probe record scores outside [0, 1] and load says to declare the transform', async () => {
      const paths = variant('torch-mlp-logit', (spec) => {
        const { output_transform: _dropped, ...rest } = spec;
        return rest;
      });
      const error = await loadFailure(paths.modelPath, paths.specPath);
      expect(error.message).to.match(/answers -3\.28\d* for a valid record, which is not a probability; if the output is a logit, declare "output_transform"/);
    });
  });
});
