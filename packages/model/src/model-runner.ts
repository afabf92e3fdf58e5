import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { ModelError } from './errors';
import { loadModelSpec, type FeatureRecord, type ModelSpec } from './model-spec';
import { planInputs } from './model-inputs';
import { planOutput } from './model-outputs';
import { exposeZipMapInput, findZipMapOutput } from './onnx/zipmap';

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

/** A valid record built from the spec alone (each range's low end, false, the first category), scored once at load. */
function probeRecord(spec: ModelSpec): FeatureRecord {
  return Object.fromEntries(
    spec.features.map((feature) => [
      feature.name,
      feature.type === 'categorical' ? (feature.categories[0] ?? '') : feature.type === 'boolean' ? false : feature.min,
    ]),
  );
}

async function createSession(model: Uint8Array, options: LoadModelOptions): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(model, {
      intraOpNumThreads: options.intraOpThreads ?? 1,
      interOpNumThreads: 1,
      executionProviders: ['cpu'],
    });
  } catch (error) {
    throw new ModelError('MODEL_LOAD_FAILED', `Cannot load ONNX model ${options.modelPath}: ${(error as Error).message}`);
  }
}

/**
 * Loads a binary classifier and its spec. The model's declared inputs and outputs are
 * checked against the spec, and one probe record is scored, so a model that could only
 * fail per request (wrong width, a logit served as a probability) stops start-up instead.
 */
export async function loadModel(options: LoadModelOptions): Promise<ModelRunner> {
  const spec = loadModelSpec(options.specPath);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(options.modelPath);
  } catch (error) {
    throw new ModelError('MODEL_LOAD_FAILED', `Cannot read ONNX model ${options.modelPath}: ${(error as Error).message}`);
  }
  // onnxruntime-node cannot return a ZipMap's sequence of maps: expose the tensor it wraps.
  const zipMap = findZipMapOutput(bytes, spec.output_name);
  const session = await createSession(zipMap ? exposeZipMapInput(bytes, zipMap) : bytes, options);
  let feed: ReturnType<typeof planInputs>;
  let output: ReturnType<typeof planOutput>;
  try {
    feed = planInputs(spec, session.inputMetadata, options.modelPath);
    output = planOutput(spec, session.outputMetadata, zipMap, options.modelPath);
  } catch (error) {
    await session.release();
    throw error;
  }
  const fetches = [output.fetch];

  async function score(records: readonly FeatureRecord[]): Promise<Scored[]> {
    let result: ort.InferenceSession.ReturnType;
    try {
      result = await session.run(feed(records), fetches);
    } catch (error) {
      throw new ModelError('INFERENCE_FAILED', `Inference failed: ${(error as Error).message}`);
    }
    return Array.from(output.probabilities(result[output.fetch], records.length), (probability) => ({
      probability,
      prediction: probability >= spec.threshold ? 1 : 0,
    }));
  }

  await checkProbe(spec, score, options.modelPath, session);
  return {
    spec,
    version: spec.model_version,
    score,
    close: () => session.release(),
  };
}

async function checkProbe(spec: ModelSpec, score: ModelRunner['score'], source: string, session: ort.InferenceSession): Promise<void> {
  let probability: number | undefined;
  try {
    [{ probability } = { probability: Number.NaN }] = await score([probeRecord(spec)]);
  } catch (error) {
    await session.release();
    throw new ModelError('MODEL_SPEC_MISMATCH', `Model ${source} fails on a valid record built from its spec: ${(error as Error).message}`, { model: source });
  }
  if (!(probability >= 0 && probability <= 1)) {
    await session.release();
    const hint = (spec.output_transform ?? 'none') === 'none' ? '; if the output is a logit, declare "output_transform": "sigmoid" or "softmax"' : '';
    throw new ModelError('MODEL_SPEC_MISMATCH', `Model ${source} answers ${probability} for a valid record, which is not a probability${hint}`, {
      model: source,
    });
  }
}
