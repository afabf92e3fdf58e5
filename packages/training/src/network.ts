/**
 * The classifier as data: input standardisation, dense layers, sigmoid
 * output. The ONNX writer turns exactly this into a graph, and
 * predictProbabilities is the trainer's own forward pass that tests compare
 * with onnxruntime.
 */

export type Activation = 'relu' | 'tanh' | 'sigmoid';

export interface DenseLayer {
  readonly inputs: number;
  readonly outputs: number;
  /** Row-major [inputs, outputs], as ONNX MatMul expects for x @ W. */
  readonly weights: Float64Array;
  readonly bias: Float64Array;
  readonly activation: Activation;
}

export interface Network {
  /** Subtracted from each raw encoded input column (0 for booleans and one-hot slots). */
  readonly inputMean: Float64Array;
  /** Divides each centred column (1 for booleans and one-hot slots). */
  readonly inputScale: Float64Array;
  /** Hidden layers, then a final layer with one sigmoid output. */
  readonly layers: readonly DenseLayer[];
}

export function activate(activation: Activation, x: number): number {
  switch (activation) {
    case 'relu':
      return x > 0 ? x : 0;
    case 'tanh':
      return Math.tanh(x);
    case 'sigmoid':
      return sigmoid(x);
  }
}

export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/**
 * P(fraud) for `count` raw encoded rows (row-major, width = inputMean.length),
 * standardising first exactly as the graph's Sub/Div nodes do.
 */
export function predictProbabilities(network: Network, rows: ArrayLike<number>, count: number): Float64Array {
  const width = network.inputMean.length;
  if (rows.length !== count * width) throw new Error(`expected ${count} x ${width} values, got ${rows.length}`);
  const output = new Float64Array(count);
  const maxWidth = Math.max(width, ...network.layers.map((layer) => layer.outputs));
  let current = new Float64Array(maxWidth);
  let next = new Float64Array(maxWidth);
  for (let row = 0; row < count; row++) {
    for (let j = 0; j < width; j++) current[j] = ((rows[row * width + j] as number) - network.inputMean[j]!) / network.inputScale[j]!;
    for (const layer of network.layers) {
      for (let o = 0; o < layer.outputs; o++) {
        let sum = 0;
        for (let i = 0; i < layer.inputs; i++) sum += current[i]! * layer.weights[i * layer.outputs + o]!;
        next[o] = activate(layer.activation, sum + layer.bias[o]!);
      }
      [current, next] = [next, current];
    }
    output[row] = current[0]!;
  }
  return output;
}

/**
 * Rounds every parameter to float32, the precision the ONNX file stores, so
 * the trainer's forward pass and metrics describe the exported model itself.
 */
export function roundToFloat32(network: Network): Network {
  const round = (values: Float64Array): Float64Array => Float64Array.from(values, (v) => Math.fround(v));
  return {
    inputMean: round(network.inputMean),
    inputScale: round(network.inputScale),
    layers: network.layers.map((layer) => ({ ...layer, weights: round(layer.weights), bias: round(layer.bias) })),
  };
}
