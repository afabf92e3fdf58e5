import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import {
  buildModelSpec,
  encodedWidth,
  encodeFeatures,
  predictProbabilities,
  trainModel,
  writeArtifacts,
  type ModelSpec,
  type Network,
  type TransactionFeatures,
} from '../src/index';
import { onnxToNetwork } from '../src/onnx-reader';
import type { TensorModelSpec } from '@vigil/model';

const ARTIFACTS = fileURLToPath(new URL('../../../artifacts/', import.meta.url));
const TOLERANCE = 1e-5;

function encodeAll(spec: ModelSpec, rows: readonly TransactionFeatures[]): Float32Array {
  const width = encodedWidth(spec);
  const matrix = new Float32Array(rows.length * width);
  rows.forEach((row, i) => matrix.set(encodeFeatures(spec, row), i * width));
  return matrix;
}

async function runOnnx(modelPath: string, spec: TensorModelSpec, matrix: Float32Array, count: number): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  try {
    const input = session.inputMetadata[0];
    const output = session.outputMetadata[0];
    expect(session.inputNames).to.deep.equal([spec.input_name]);
    expect(session.outputNames).to.deep.equal([spec.output_name]);
    expect(input?.isTensor && input.type).to.equal('float32');
    expect(input?.isTensor && input.shape).to.deep.equal(['N', encodedWidth(spec)]);
    expect(output?.isTensor && output.shape).to.deep.equal(['N', 1]);
    const result = await session.run({ [spec.input_name]: new ort.Tensor('float32', matrix, [count, encodedWidth(spec)]) });
    const probability = result[spec.output_name];
    expect(probability?.dims).to.deep.equal([count, 1]);
    expect(probability?.data).to.be.instanceOf(Float32Array);
    return probability!.data as Float32Array;
  } finally {
    await session.release();
  }
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expect(actual.length).to.equal(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs((actual[i] as number) - (expected[i] as number)));
  expect(worst).to.be.below(TOLERANCE);
}

/** Rows at the edges of the spec's ranges, where a saturating or overflowing graph would show. */
function extremeRows(spec: ModelSpec, base: TransactionFeatures): TransactionFeatures[] {
  const rows: TransactionFeatures[] = [];
  for (const feature of spec.features) {
    if (feature.type === 'number' || feature.type === 'integer') {
      rows.push({ ...base, [feature.name]: feature.min }, { ...base, [feature.name]: feature.max });
    }
  }
  return rows;
}

describe('training: ONNX model matches the trainer', function () {
  this.timeout(30_000);

  it('committed artifacts/model.onnx: onnxruntime equals the trainer forward pass and reference.json', async function () {
    const modelPath = join(ARTIFACTS, 'model.onnx');
    expect(existsSync(modelPath), `${modelPath} is committed`).to.equal(true);
    const spec = JSON.parse(readFileSync(join(ARTIFACTS, 'model.spec.json'), 'utf8')) as TensorModelSpec;
    expect(spec).to.deep.equal(JSON.parse(JSON.stringify(buildModelSpec(spec.threshold))));
    const reference = JSON.parse(readFileSync(join(ARTIFACTS, 'reference.json'), 'utf8')) as { rows: TransactionFeatures[]; probabilities: number[] };
    expect(reference.rows.length).to.be.within(4000, 6000);

    const rows = [...reference.rows, ...extremeRows(spec, reference.rows[0]!)];
    const matrix = encodeAll(spec, rows);
    const fromOnnx = await runOnnx(modelPath, spec, matrix, rows.length);
    const network: Network = onnxToNetwork(readFileSync(modelPath));
    expectClose(fromOnnx, predictProbabilities(network, matrix, rows.length));
    // reference.json holds the trainer's own probabilities from training time.
    expectClose(fromOnnx.subarray(0, reference.rows.length), reference.probabilities);
  });

  it('committed model card reports a credible held-out model', function () {
    const cardPath = join(ARTIFACTS, 'model-card.json');
    expect(existsSync(cardPath), `${cardPath} is committed`).to.equal(true);
    const card = JSON.parse(readFileSync(cardPath, 'utf8')) as { metrics: { test: { roc_auc: number; average_precision: number } } };
    expect(card.metrics.test.roc_auc).to.be.at.least(0.85);
    expect(card.metrics.test.average_precision).to.be.at.least(0.5);
  });

  it('freshly trained tiny model: onnxruntime equals the trainer forward pass', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-training-'));
    try {
      const model = trainModel({ seed: 9, size: 'tiny', referenceRows: 500 });
      writeArtifacts(model, dir);
      const rows = [...model.test.rows.slice(0, 3000), ...extremeRows(model.spec, model.test.rows[0]!)];
      const matrix = encodeAll(model.spec, rows);
      const fromOnnx = await runOnnx(join(dir, 'model.onnx'), model.spec, matrix, rows.length);
      expectClose(fromOnnx, predictProbabilities(model.network, matrix, rows.length));
      expectClose(fromOnnx.subarray(0, 3000), model.test.probabilities.subarray(0, 3000));
      // The model learned something even at this size.
      expect(model.card.metrics.test.roc_auc).to.be.above(0.8);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
