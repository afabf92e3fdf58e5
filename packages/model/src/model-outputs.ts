import type * as ort from 'onnxruntime-node';
import { ModelError } from './errors';
import type { ModelSpec } from './model-spec';
import type { ZipMapOutput } from './onnx/zipmap';

type Metadata = ort.InferenceSession.ValueMetadata;

/** How serving reads P(positive) out of one session.run. */
export interface OutputReader {
  /** The output to fetch (for a ZipMap output, the tensor feeding it). */
  readonly fetch: string;
  /** One probability per row of a run over `count` records. */
  probabilities(output: ort.Tensor | undefined, count: number): Float64Array;
}

function mismatch(source: string, what: string): never {
  throw new ModelError('MODEL_SPEC_MISMATCH', `Model ${source} does not match its spec: ${what}`, { model: source });
}

const sigmoid = (logit: number) => 1 / (1 + Math.exp(-logit));

/** Softmax of row `row` of a [N, C] matrix, at column `column`; shifted by the row's max so large logits do not overflow. */
function softmaxAt(data: ArrayLike<number>, row: number, columns: number, column: number): number {
  let max = -Infinity;
  for (let c = 0; c < columns; c++) max = Math.max(max, data[row * columns + c] as number);
  let sum = 0;
  for (let c = 0; c < columns; c++) sum += Math.exp((data[row * columns + c] as number) - max);
  return Math.exp((data[row * columns + column] as number) - max) / sum;
}

/**
 * Checks the spec's output against the model's declared outputs and returns
 * its reader: [N] or [N, 1] as a probability or (sigmoid) a logit, [N, 2] at
 * the positive column, softmax of [N, 2] logits, or the tensor under a ZipMap.
 */
export function planOutput(spec: ModelSpec, outputs: readonly Metadata[], zipMap: ZipMapOutput | undefined, source: string): OutputReader {
  const fetch = zipMap?.tensor ?? spec.output_name;
  const output = outputs.find((candidate) => candidate.name === fetch);
  const listed = outputs.map((candidate) => candidate.name).join(', ');
  if (!output) return mismatch(source, `output_name "${spec.output_name}" is not an output of the model, whose outputs are: ${listed}`);
  if (!output.isTensor) return mismatch(source, `output "${fetch}" is not a tensor and no ZipMap produces it`);
  if (output.type !== 'float32' && output.type !== 'float64') mismatch(source, `output "${fetch}" is ${output.type}; probabilities must be float32 or float64`);
  const rank = output.shape.length;
  const declared = rank === 2 ? output.shape[1] : 1;
  const columns = zipMap ? zipMap.classLabels.length : declared;
  if (rank < 1 || rank > 2) mismatch(source, `output "${fetch}" has shape [${output.shape.join(', ')}]; expected [N], [N, 1] or [N, 2]`);
  if (typeof columns === 'number' && columns > 2) {
    mismatch(source, `output "${fetch}" has ${columns} columns: Vigil monitors binary classifiers, whose output has 1 or 2`);
  }
  const transform = spec.output_transform ?? 'none';
  const positive = spec.positive_class_index ?? 1;
  if (zipMap && transform !== 'none') mismatch(source, `output "${spec.output_name}" is a ZipMap of probabilities; output_transform must be "none"`);
  if (transform === 'sigmoid' && columns !== 1)
    mismatch(source, `output_transform "sigmoid" needs a one-column logit, but output "${fetch}" has ${String(columns)} columns`);
  if (transform === 'softmax' && columns === 1) mismatch(source, `output_transform "softmax" needs one logit per class, but output "${fetch}" has one column`);
  if (typeof columns === 'number' && columns > 1 && positive >= columns) {
    const labels = zipMap ? ` (class labels ${zipMap.classLabels.join(', ')})` : '';
    mismatch(source, `positive_class_index ${positive} is out of range for output "${fetch}" with ${columns} columns${labels}`);
  }

  return {
    fetch,
    probabilities(tensor, count) {
      const data = tensor?.data;
      if (!(data instanceof Float32Array || data instanceof Float64Array) || count === 0 || data.length % count !== 0) {
        throw new ModelError('INFERENCE_FAILED', `Model output "${fetch}" is not ${count} rows of floats`);
      }
      const width = data.length / count;
      if (width > 2 || (typeof columns === 'number' && width !== columns)) {
        throw new ModelError('INFERENCE_FAILED', `Model output "${fetch}" has ${width} values per row, expected ${String(columns)}`);
      }
      const result = new Float64Array(count);
      for (let row = 0; row < count; row++) {
        if (width === 1) result[row] = transform === 'sigmoid' ? sigmoid(data[row] as number) : (data[row] as number);
        else result[row] = transform === 'softmax' ? softmaxAt(data, row, width, positive) : (data[row * width + positive] as number);
      }
      return result;
    },
  };
}
