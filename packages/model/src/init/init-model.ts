import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { checkModelSpec, type FeatureRecord, type ModelSpec } from '../model-spec';
import { loadModel } from '../model-runner';
import { planInputs } from '../model-inputs';
import { planOutput } from '../model-outputs';
import { exposeZipMapInput } from '../onnx/zipmap';
import { assembleSpec } from './assemble-spec';
import { inferFeatures, sampleRecords, type InferredFeature } from './infer-features';
import { describeInput, inferLayout, typeHints, type InferredLayout } from './infer-layout';
import { chooseOutput, detectTransform } from './infer-output';
import { ModelInitError } from './init-error';
import { rawOutputValues } from './raw-output';
import { driftReference, qualityReference } from './reference-files';
import { parseSampleCsv, type SampleTable } from './sample-csv';
import { readSampleLabels } from './sample-labels';
import { formatDriftReference, formatQualityReference, formatSpec, StagedFiles } from './write-files';

/** What `model init` is given (the command line's flags). */
export interface InitModelOptions {
  readonly modelPath: string;
  readonly samplePath: string;
  /** @defaultValue 0.5 */
  readonly threshold?: number;
  /** @defaultValue the model file's stem + "@1.0.0" */
  readonly version?: string;
  /** A label column (1/0, true/false, yes/no): left out of the features, and written with the scores as quality-reference.json. */
  readonly label?: string;
  /** Columns that are not features (ids, timestamps). */
  readonly exclude?: readonly string[];
  /** Column → model input, for per-feature models whose inputs are named otherwise. */
  readonly inputs?: ReadonlyMap<string, string>;
  /** Column → its categories in the model's one-hot order (the tensor layout cannot read it off the model). */
  readonly categories?: ReadonlyMap<string, readonly string[]>;
  /** The output holding the probability, when init cannot tell. */
  readonly output?: string;
  /** Replace a spec or references already beside the model. */
  readonly force?: boolean;
}

export interface InitModelResult {
  readonly spec: ModelSpec;
  readonly features: readonly InferredFeature[];
  readonly sampleRows: number;
  /** How the features reach the model, and which output is read, in words. */
  readonly layout: string;
  readonly output: string;
  /** What the user must know or check (detected logits, the one-hot order, no label). */
  readonly notes: readonly string[];
  readonly written: { readonly spec: string; readonly reference: string; readonly qualityReference: string | undefined };
  readonly referenceRows: number;
  /** The loaded model's probabilities over the whole sample. */
  readonly scores: { readonly min: number; readonly max: number; readonly mean: number; readonly positiveShare: number };
}

const SCORE_BATCH = 1000;

/** The files init writes beside the model: the spec serving looks for, and the references drift and CBPE read by default. */
export function initTargets(modelPath: string): { spec: string; reference: string; qualityReference: string } {
  const folder = dirname(modelPath);
  return {
    spec: modelPath.replace(/\.onnx$/i, '') + '.spec.json',
    reference: join(folder, 'reference.json'),
    qualityReference: join(folder, 'quality-reference.json'),
  };
}

function readFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new ModelInitError(`cannot read the ${what} ${path}: ${(error as Error).message}`);
  }
}

async function openSession(bytes: Uint8Array, modelPath: string): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, executionProviders: ['cpu'] });
  } catch (error) {
    throw new ModelInitError(`cannot load the ONNX model ${modelPath}: ${(error as Error).message}`);
  }
}

/** The columns that are not features, checked against the header so a typo is not silently a feature. */
function skippedColumns(table: SampleTable, options: InitModelOptions): Set<string> {
  const skip = new Set(options.exclude ?? []);
  for (const name of skip) {
    if (!table.columns.includes(name))
      throw new ModelInitError(`--exclude ${name}: ${table.source} has no such column; its columns are ${table.columns.join(', ')}`);
  }
  if (options.label !== undefined) {
    if (skip.has(options.label)) throw new ModelInitError(`--label ${options.label} is also in --exclude`);
    skip.add(options.label);
  }
  for (const name of options.categories?.keys() ?? []) {
    if (!table.columns.includes(name) || skip.has(name)) throw new ModelInitError(`--categories ${name}=…: "${name}" is not one of the feature columns`);
  }
  return skip;
}

function describeLayout(layout: InferredLayout, features: readonly InferredFeature[]): string {
  if (layout.layout === 'tensor') {
    return (
      `tensor: one input ${describeInput(layout.input)} takes the ${features.length} features in column order, encoded to ${layout.width} values ` +
      '(numbers as they are, booleans 1/0, categoricals one-hot)'
    );
  }
  const pairs = features.map((feature) => `${feature.spec.name} → ${describeInput(layout.inputs.get(feature.spec.name)!)}`);
  return `per_feature: one input per feature: ${pairs.join('; ')}`;
}

async function scoreAll(
  score: (records: readonly FeatureRecord[]) => Promise<readonly { probability: number; prediction: 0 | 1 }[]>,
  records: readonly FeatureRecord[],
) {
  const probabilities: number[] = [];
  let positives = 0;
  for (let start = 0; start < records.length; start += SCORE_BATCH) {
    for (const scored of await score(records.slice(start, start + SCORE_BATCH))) {
      probabilities.push(scored.probability);
      positives += scored.prediction;
    }
  }
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const p of probabilities) {
    min = Math.min(min, p);
    max = Math.max(max, p);
    sum += p;
  }
  return { probabilities, scores: { min, max, mean: sum / probabilities.length, positiveShare: positives / probabilities.length } };
}

/**
 * `model init`: infers the spec of `modelPath` from its declared inputs and
 * outputs and a sample of the data it takes, checks it by loading the model
 * with it (the same loadModel serving uses) and scoring the sample, and
 * writes beside the model the spec, reference.json (the sample and its
 * probabilities, for drift) and with a label column quality-reference.json
 * (for CBPE). Nothing is written unless all of it succeeds; an existing spec
 * or reference is replaced only with `force`.
 */
export async function initModel(options: InitModelOptions): Promise<InitModelResult> {
  const targets = initTargets(options.modelPath);
  const existing = [targets.spec, targets.reference, ...(options.label === undefined ? [] : [targets.qualityReference])].filter((path) => existsSync(path));
  if (existing.length > 0 && options.force !== true) {
    throw new ModelInitError(`${existing.join(' and ')} already exist(s) beside the model; run again with --force to replace them`);
  }
  const bytes = readFile(options.modelPath, 'ONNX model');
  const table = parseSampleCsv(readFile(options.samplePath, 'sample').toString('utf8'), options.samplePath);
  const skip = skippedColumns(table, options);
  const labels = options.label === undefined ? undefined : readSampleLabels(table, options.label);

  let session = await openSession(bytes, options.modelPath);
  try {
    const output = chooseOutput(bytes, session.outputMetadata, options.output);
    if (output.zipMap) {
      // onnxruntime-node cannot return a ZipMap's maps: read the tensor it wraps, as loadModel does.
      const described = session;
      session = await openSession(exposeZipMapInput(bytes, output.zipMap), options.modelPath);
      await described.release();
    }
    const base = inferFeatures(table, { skip, categories: options.categories });
    const layout = inferLayout(
      base.map((feature) => feature.spec),
      session.inputMetadata,
      options.inputs ?? new Map(),
    );
    const hints = typeHints(layout);
    const features = hints.size > 0 ? inferFeatures(table, { skip, categories: options.categories, hints }) : base;
    const records = sampleRecords(table, features);
    const version = options.version ?? `${basename(options.modelPath, extname(options.modelPath))}@1.0.0`;
    const parts = { version, threshold: options.threshold ?? 0.5, layout, features, output };

    // A first run without transform: the raw values tell a probability from a logit.
    const draft = checkModelSpec(assembleSpec({ ...parts, transform: 'none', outputWidth: undefined }), `inferred for ${options.modelPath}`);
    const feed = planInputs(draft, session.inputMetadata, options.modelPath);
    const reader = planOutput(draft, session.outputMetadata, output.zipMap, options.modelPath);
    const detected = detectTransform(output, await rawOutputValues(session, feed, reader.fetch, records), records.length);
    const spec = checkModelSpec(assembleSpec({ ...parts, transform: detected.transform, outputWidth: detected.width }), `inferred for ${options.modelPath}`);

    const notes = [
      ...(detected.note ? [detected.note] : []),
      ...oneHotNotes(layout, features),
      ...(labels === undefined
        ? ['no --label: no quality-reference.json is written, so CBPE quality estimates answer null (realized quality from /feedback labels still works)']
        : []),
    ];
    const staged = new StagedFiles();
    try {
      const runner = await loadModel({ modelPath: options.modelPath, specPath: staged.stage(targets.spec, formatSpec(spec)) });
      let scored;
      try {
        scored = await scoreAll((batch) => runner.score(batch), records);
      } finally {
        await runner.close();
      }
      const source = `${basename(options.samplePath)}, scored by model init`;
      const reference = driftReference(version, source, records, scored.probabilities);
      staged.stage(targets.reference, formatDriftReference(reference));
      if (labels) staged.stage(targets.qualityReference, formatQualityReference(qualityReference(version, source, scored.probabilities, labels)));
      staged.commit();
      return {
        spec,
        features,
        sampleRows: records.length,
        layout: describeLayout(layout, features),
        output: `${output.why}; output_transform "${detected.transform}"`,
        notes,
        written: { spec: targets.spec, reference: targets.reference, qualityReference: labels ? targets.qualityReference : undefined },
        referenceRows: reference.rows.length,
        scores: scored.scores,
      };
    } finally {
      staged.discard();
    }
  } finally {
    await session.release();
  }
}

/**
 * With the tensor layout the one-hot order is part of the model, and neither
 * the model file nor the sample says it: a wrong order scores wrong without
 * any error. Said for every sorted categorical, with how to give the order.
 */
function oneHotNotes(layout: InferredLayout, features: readonly InferredFeature[]): string[] {
  if (layout.layout !== 'tensor') return [];
  return features.flatMap((feature) =>
    feature.spec.type === 'categorical' && feature.summary.kind === 'categorical' && feature.summary.order === 'sorted'
      ? [
          `${feature.spec.name} is one-hot encoded in sorted order (${feature.spec.categories.join(', ')}), as scikit-learn's OneHotEncoder and ` +
            'pandas.get_dummies order it; if the model was trained with another order, its scores are wrong without any error: give the order ' +
            `with --categories ${feature.spec.name}=${feature.spec.categories.join(',')}`,
        ]
      : [],
  );
}
