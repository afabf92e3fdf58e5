import * as ort from 'onnxruntime-node';
import { ModelError } from './errors';
import { encodedWidth, encodeInto, loadModelSpec, type FeatureRecord, type ModelSpec } from './model-spec';

export interface Scored {
  readonly prediction: 0 | 1;
  readonly probability: number;
}

/** Options for {@link loadModel}. */
export interface LoadModelOptions {
  readonly modelPath: string;
  readonly specPath: string;
  /**
   * onnxruntime intra-op threads per run.
   * @defaultValue 1 — small models gain nothing from more, and Express needs the other core.
   */
  readonly intraOpThreads?: number;
}

/** A loaded model: its spec and a function that scores validated records. */
export interface ModelRunner {
  readonly spec: ModelSpec;
  readonly version: string;
  score(records: readonly FeatureRecord[]): Promise<Scored[]>;
  close(): Promise<void>;
}

export async function loadModel(options: LoadModelOptions): Promise<ModelRunner> {
  const spec = loadModelSpec(options.specPath);
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(options.modelPath, {
      intraOpNumThreads: options.intraOpThreads ?? 1,
      interOpNumThreads: 1,
      executionProviders: ['cpu'],
    });
  } catch (error) {
    throw new ModelError('MODEL_LOAD_FAILED', `Cannot load ONNX model ${options.modelPath}: ${(error as Error).message}`);
  }
  if (!session.inputNames.includes(spec.input_name) || !session.outputNames.includes(spec.output_name)) {
    throw new ModelError(
      'MODEL_LOAD_FAILED',
      `Model ${options.modelPath} has inputs [${session.inputNames.join(', ')}] and outputs [${session.outputNames.join(', ')}], ` +
        `but its spec names input "${spec.input_name}" and output "${spec.output_name}"`,
    );
  }
  const width = encodedWidth(spec);

  async function score(records: readonly FeatureRecord[]): Promise<Scored[]> {
    const input = new Float32Array(records.length * width);
    records.forEach((record, row) => encodeInto(spec, record, input, row * width));
    let output: ort.Tensor | undefined;
    try {
      const result = await session.run({ [spec.input_name]: new ort.Tensor('float32', input, [records.length, width]) });
      output = result[spec.output_name];
    } catch (error) {
      throw new ModelError('INFERENCE_FAILED', `Inference failed: ${(error as Error).message}`);
    }
    const probabilities = output?.data;
    if (!(probabilities instanceof Float32Array) || probabilities.length !== records.length) {
      throw new ModelError('INFERENCE_FAILED', `Model output "${spec.output_name}" is not one float per instance`);
    }
    return Array.from(probabilities, (probability) => ({ probability, prediction: probability >= spec.threshold ? 1 : 0 }));
  }

  return {
    spec,
    version: spec.model_version,
    score,
    close: () => session.release(),
  };
}
