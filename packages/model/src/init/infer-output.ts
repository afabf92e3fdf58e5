import type * as ort from 'onnxruntime-node';
import type { OutputTransform } from '../model-spec';
import { findZipMapOutput, type ZipMapOutput } from '../onnx/zipmap';
import { ModelInitError } from './init-error';

type Metadata = ort.InferenceSession.ValueMetadata;

/** The output serving will read P(positive) from, and why it was picked. */
export interface ChosenOutput {
  readonly name: string;
  readonly zipMap: ZipMapOutput | undefined;
  /** Set for ZipMap outputs (from its class labels); a tensor output's is decided once its width is seen. */
  readonly positiveClassIndex: number | undefined;
  readonly why: string;
}

function describeOutput(output: Metadata, zipMap: ZipMapOutput | undefined): string {
  if (zipMap) return `${output.name} (ZipMap, class labels ${zipMap.classLabels.join(', ')})`;
  if (!output.isTensor) return `${output.name} (not a tensor)`;
  return `${output.name} ${output.type} [${output.shape.map((dim) => (typeof dim === 'number' ? dim : '?')).join(', ')}]`;
}

/** The index of the positive class among a classifier's labels: 1, "1" or "true", else column 1 (scikit-learn's classes_ sort 0 before 1). */
function positiveIndex(labels: readonly (number | string)[]): { index: number; label: string } {
  const index = labels.findIndex((label) => label === 1 || (typeof label === 'string' && ['1', 'true'].includes(label.toLowerCase())));
  const at = index >= 0 ? index : 1;
  return { index: at, label: String(labels[at]) };
}

/**
 * Picks the probability output: `wanted` (--output) if given; else a ZipMap
 * output (scikit-learn's default export, whose maps serving reads through the
 * tensor feeding them); else a float output named like prob*; else the only
 * float output. Integer outputs (a predicted label) are never it.
 */
export function chooseOutput(modelBytes: Uint8Array, outputs: readonly Metadata[], wanted: string | undefined): ChosenOutput {
  const candidates = outputs.map((output) => ({ output, zipMap: output.isTensor ? undefined : findZipMapOutput(modelBytes, output.name) }));
  const listed = candidates.map(({ output, zipMap }) => describeOutput(output, zipMap)).join('; ');
  const isFloat = ({ output }: (typeof candidates)[number]) => output.isTensor && (output.type === 'float32' || output.type === 'float64');
  let pick: (typeof candidates)[number] | undefined;
  let why: string;
  if (wanted !== undefined) {
    pick = candidates.find(({ output }) => output.name === wanted);
    if (!pick) throw new ModelInitError(`--output ${wanted}: the model has no such output; its outputs are: ${listed}`);
    if (!pick.zipMap && !isFloat(pick))
      throw new ModelInitError(`--output ${wanted}: ${describeOutput(pick.output, undefined)} holds no probabilities (a float tensor or a ZipMap)`);
    why = 'named by --output';
  } else {
    const zipMaps = candidates.filter(({ zipMap }) => zipMap !== undefined);
    const floats = candidates.filter(isFloat);
    const named = floats.filter(({ output }) => /prob/i.test(output.name));
    if (zipMaps.length > 0) {
      pick = zipMaps.find(({ output }) => /prob/i.test(output.name)) ?? zipMaps[0];
      why = 'a ZipMap of class probabilities';
    } else if (named.length > 0) {
      pick = named[0];
      why = 'a float output named like prob*';
    } else if (floats.length === 1) {
      pick = floats[0];
      why = 'the only float output';
    } else {
      why = '';
    }
    if (!pick) {
      throw new ModelInitError(
        `cannot tell which output holds the probability: the model's outputs are: ${listed}. ` +
          'None is a ZipMap or a float output named like prob*; name it with --output <name>',
      );
    }
  }
  const positive = pick.zipMap ? positiveIndex(pick.zipMap.classLabels) : undefined;
  return {
    name: pick.output.name,
    zipMap: pick.zipMap,
    positiveClassIndex: positive?.index,
    why: `${describeOutput(pick.output, pick.zipMap)}: ${why}${positive ? `; the positive class is label ${positive.label}, column ${positive.index}` : ''}`,
  };
}

/** How the raw output of the sample's rows becomes P(positive), and what to tell the user about it. */
export interface DetectedTransform {
  readonly transform: OutputTransform;
  readonly width: number;
  readonly note: string | undefined;
}

/**
 * output_transform from the raw values the output gave for the sample's
 * `rows` rows: "none" while every value is within [0, 1]; otherwise logits,
 * so "sigmoid" for one column and "softmax" for two.
 */
export function detectTransform(output: ChosenOutput, values: ArrayLike<number>, rows: number): DetectedTransform {
  const width = values.length / rows;
  let low = Infinity;
  let high = -Infinity;
  let sumsOff = false;
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (!Number.isFinite(value)) throw new ModelInitError(`output ${output.name} answers ${value} for sample row ${Math.floor(i / width) + 1}`);
    low = Math.min(low, value);
    high = Math.max(high, value);
    if (width === 2 && i % 2 === 1 && Math.abs(values[i - 1]! + value - 1) > 1e-3) sumsOff = true;
  }
  const range = `${low.toPrecision(4)} to ${high.toPrecision(4)}`;
  if (low >= 0 && high <= 1) {
    const note = sumsOff
      ? `the two columns of output ${output.name} do not sum to 1; column ${output.positiveClassIndex ?? 1} is served as the probability as it is`
      : undefined;
    return { transform: 'none', width, note };
  }
  if (output.zipMap) throw new ModelInitError(`output ${output.name} is a ZipMap of probabilities, yet the sample's values range ${range}`);
  if (width === 1) {
    return {
      transform: 'sigmoid',
      width,
      note: `the sample's values of ${output.name} range ${range}, outside [0, 1]: logits, served through a sigmoid (output_transform "sigmoid")`,
    };
  }
  if (width === 2) {
    return {
      transform: 'softmax',
      width,
      note: `the sample's values of ${output.name} range ${range}, outside [0, 1]: logits, served through a softmax (output_transform "softmax")`,
    };
  }
  throw new ModelInitError(`output ${output.name} has ${width} columns: Vigil monitors binary classifiers, whose output has 1 or 2`);
}
