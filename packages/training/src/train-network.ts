import { sigmoid, type Activation, type DenseLayer, type Network } from './network';
import type { Rng } from './prng';

export interface NetworkOptions {
  /** Units in the single hidden layer; 0 trains a logistic regression. */
  readonly hiddenUnits: number;
  readonly activation: Exclude<Activation, 'sigmoid'>;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** L2 penalty on weights (not biases), per example. */
  readonly l2: number;
}

/**
 * Fits the network by mini-batch Adam on binary cross-entropy. `rows` are the
 * raw encoded inputs; `mean`/`scale` (from fitStandardizer) become the graph's
 * standardisation and are applied here once up front. Initialisation and
 * shuffling draw only from `rng`, so a seed fixes the result. `onStep`
 * hears of each optimizer step (for a progress display; it changes nothing).
 */
export function trainNetwork(
  rows: Float64Array,
  labels: Uint8Array,
  standardizer: { mean: Float64Array; scale: Float64Array },
  options: NetworkOptions,
  rng: Rng,
  onStep?: (step: number, steps: number, epoch: number) => void,
): Network {
  const width = standardizer.mean.length;
  const count = labels.length;
  const x = new Float64Array(rows.length);
  for (let r = 0; r < count; r++) {
    for (let j = 0; j < width; j++) x[r * width + j] = (rows[r * width + j]! - standardizer.mean[j]!) / standardizer.scale[j]!;
  }

  const hidden = options.hiddenUnits;
  const params = createParams(width, hidden, labels, rng);
  const adam = new Adam(params.all.length, options.learningRate);
  const grad = new Float64Array(params.all.length);
  const h = new Float64Array(Math.max(hidden, 1));
  const order = Int32Array.from({ length: count }, (_, i) => i);
  const steps = options.epochs * Math.ceil(count / options.batchSize);
  const { w1, b1, w2, b2 } = params.offsets;
  const p = params.all;

  for (let epoch = 0; epoch < options.epochs; epoch++) {
    shuffle(order, rng);
    for (let start = 0; start < count; start += options.batchSize) {
      const end = Math.min(count, start + options.batchSize);
      grad.fill(0);
      for (let k = start; k < end; k++) {
        const r = order[k]!;
        const xr = r * width;
        let logit = p[b2]!;
        if (hidden === 0) {
          for (let j = 0; j < width; j++) logit += x[xr + j]! * p[w2 + j]!;
        } else {
          for (let u = 0; u < hidden; u++) {
            let sum = p[b1 + u]!;
            for (let j = 0; j < width; j++) sum += x[xr + j]! * p[w1 + j * hidden + u]!;
            h[u] = options.activation === 'relu' ? (sum > 0 ? sum : 0) : Math.tanh(sum);
            logit += h[u]! * p[w2 + u]!;
          }
        }
        // d(cross-entropy)/d(logit) for a sigmoid output is simply p - y.
        const delta = sigmoid(logit) - labels[r]!;
        grad[b2]! += delta;
        if (hidden === 0) {
          for (let j = 0; j < width; j++) grad[w2 + j]! += delta * x[xr + j]!;
          continue;
        }
        for (let u = 0; u < hidden; u++) {
          grad[w2 + u]! += delta * h[u]!;
          const hu = h[u]!;
          const dh = delta * p[w2 + u]! * (options.activation === 'relu' ? (hu > 0 ? 1 : 0) : 1 - hu * hu);
          if (dh === 0) continue;
          grad[b1 + u]! += dh;
          for (let j = 0; j < width; j++) grad[w1 + j * hidden + u]! += dh * x[xr + j]!;
        }
      }
      const size = end - start;
      for (let i = 0; i < grad.length; i++) grad[i]! /= size;
      for (const [from, to] of params.weightRanges) for (let i = from; i < to; i++) grad[i]! += options.l2 * p[i]!;
      // Linear decay to 10% of the rate settles the final weights.
      adam.step(p, grad, 1 - 0.9 * (adam.t / steps));
      onStep?.(adam.t, steps, epoch + 1);
    }
  }
  return { inputMean: standardizer.mean.slice(), inputScale: standardizer.scale.slice(), layers: params.toLayers(options.activation) };
}

function createParams(width: number, hidden: number, labels: Uint8Array, rng: Rng) {
  const w1 = 0;
  const b1 = w1 + width * hidden;
  const w2 = b1 + hidden;
  const b2 = w2 + (hidden === 0 ? width : hidden);
  const all = new Float64Array(b2 + 1);
  // Glorot-normal weights; the output bias starts at the base-rate log-odds
  // so early epochs are not spent learning that fraud is rare.
  const glorot = (fanIn: number, fanOut: number) => Math.sqrt(2 / (fanIn + fanOut));
  for (let i = w1; i < b1; i++) all[i] = rng.normal(0, glorot(width, hidden));
  for (let i = w2; i < b2; i++) all[i] = rng.normal(0, glorot(hidden === 0 ? width : hidden, 1));
  let positives = 0;
  for (const label of labels) positives += label;
  const rate = Math.min(Math.max(positives / Math.max(1, labels.length), 1e-4), 1 - 1e-4);
  all[b2] = Math.log(rate / (1 - rate));
  return {
    all,
    offsets: { w1, b1, w2, b2 },
    weightRanges: [
      [w1, b1],
      [w2, b2],
    ] as const,
    toLayers(activation: Exclude<Activation, 'sigmoid'>): DenseLayer[] {
      const layers: DenseLayer[] = [];
      if (hidden > 0) {
        layers.push({ inputs: width, outputs: hidden, weights: all.slice(w1, b1), bias: all.slice(b1, w2), activation });
      }
      layers.push({ inputs: hidden === 0 ? width : hidden, outputs: 1, weights: all.slice(w2, b2), bias: all.slice(b2, b2 + 1), activation: 'sigmoid' });
      return layers;
    },
  };
}

/** Adam (Kingma & Ba) over one flat parameter vector. */
class Adam {
  t = 0;
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  constructor(
    size: number,
    private readonly rate: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = 1e-8,
  ) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }
  step(params: Float64Array, grad: Float64Array, rateFactor: number): void {
    this.t++;
    const correction1 = 1 - this.beta1 ** this.t;
    const correction2 = 1 - this.beta2 ** this.t;
    const rate = this.rate * rateFactor;
    for (let i = 0; i < params.length; i++) {
      const g = grad[i]!;
      this.m[i] = this.beta1 * this.m[i]! + (1 - this.beta1) * g;
      this.v[i] = this.beta2 * this.v[i]! + (1 - this.beta2) * g * g;
      params[i]! -= (rate * (this.m[i]! / correction1)) / (Math.sqrt(this.v[i]! / correction2) + this.epsilon);
    }
  }
}

function shuffle(order: Int32Array, rng: Rng): void {
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = order[i]!;
    order[i] = order[j]!;
    order[j] = tmp;
  }
}
