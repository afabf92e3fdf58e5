import * as ort from 'onnxruntime-node';
import { ModelError } from './errors';
import { encodedWidth, encodeInto, type FeatureRecord, type FeatureSpec, type ModelSpec } from './model-spec';

type Metadata = ort.InferenceSession.ValueMetadata;
type TensorMetadata = Extract<Metadata, { isTensor: true }>;
export type Feeds = Record<string, ort.Tensor>;

/** Builds the tensors one session.run is fed from validated records. */
export type InputFeeder = (records: readonly FeatureRecord[]) => Feeds;

const NUMERIC_TYPES = ['float32', 'float64', 'int64'] as const;
type NumericType = (typeof NUMERIC_TYPES)[number];

function mismatch(source: string, what: string): never {
  throw new ModelError('MODEL_SPEC_MISMATCH', `Model ${source} does not match its spec: ${what}`, { model: source });
}

function describeInputs(inputs: readonly Metadata[]): string {
  return inputs.map((input) => (input.isTensor ? `${input.name} ${input.type} [${input.shape.join(', ')}]` : `${input.name} (not a tensor)`)).join('; ');
}

function tensorInput(inputs: readonly Metadata[], name: string, source: string, wanted: string): TensorMetadata {
  const input = inputs.find((candidate) => candidate.name === name);
  if (!input) return mismatch(source, `${wanted} "${name}" is not an input of the model, whose inputs are: ${describeInputs(inputs)}`);
  if (!input.isTensor) return mismatch(source, `input "${name}" is not a tensor`);
  return input;
}

function numericArray(type: NumericType, values: Float64Array): Float32Array | Float64Array | BigInt64Array {
  if (type === 'float64') return values;
  if (type === 'float32') return Float32Array.from(values);
  return BigInt64Array.from(values, (value) => BigInt(value));
}

/** One [N, F] tensor of the encoded features: numbers as they are, booleans 1/0, categoricals one-hot. */
function planTensorInput(spec: ModelSpec, inputs: readonly Metadata[], source: string): InputFeeder {
  const name = spec.input_name ?? '';
  const input = tensorInput(inputs, name, source, 'input_name');
  const type = input.type as NumericType;
  if (!NUMERIC_TYPES.includes(type)) mismatch(source, `input "${name}" is ${input.type}; the tensor layout feeds float32, float64 or int64`);
  if (type === 'int64' && spec.features.some((feature) => feature.type === 'number')) {
    mismatch(source, `input "${name}" is int64, but the spec has non-integer "number" features; declare them "integer" or export a float input`);
  }
  const width = encodedWidth(spec);
  const declared = input.shape[1];
  if (input.shape.length !== 2) mismatch(source, `input "${name}" has shape [${input.shape.join(', ')}]; the tensor layout needs [N, ${width}]`);
  if (typeof declared === 'number' && declared !== width) {
    mismatch(
      source,
      `input "${name}" takes ${declared} values per row, but the spec's features encode to ${width} (one per number, integer and boolean, one per category)`,
    );
  }
  return (records) => {
    // float32 (the common case) is encoded in place: no intermediate copy on the request path.
    const values = type === 'float32' ? new Float32Array(records.length * width) : new Float64Array(records.length * width);
    records.forEach((record, row) => encodeInto(spec, record, values, row * width));
    const data = values instanceof Float32Array ? values : numericArray(type, values);
    return { [name]: new ort.Tensor(type, data, [records.length, width]) };
  };
}

/** Builds one feature's [N, 1] (or [N]) tensor in the type its model input declares. */
function featureColumn(feature: FeatureSpec, input: TensorMetadata, source: string): (records: readonly FeatureRecord[]) => ort.Tensor {
  const rank = input.shape.length;
  const columns = input.shape[1];
  if (rank < 1 || rank > 2 || (rank === 2 && typeof columns === 'number' && columns !== 1)) {
    mismatch(source, `input "${input.name}" (feature "${feature.name}") has shape [${input.shape.join(', ')}]; one input per feature needs [N, 1] or [N]`);
  }
  const dims = (count: number) => (rank === 2 ? [count, 1] : [count]);
  if (feature.type === 'categorical') {
    if (input.type !== 'string')
      mismatch(source, `categorical feature "${feature.name}" feeds input "${input.name}", which is ${input.type}; it needs a string input`);
    return (records) =>
      new ort.Tensor(
        'string',
        records.map((record) => String(record[feature.name])),
        dims(records.length),
      );
  }
  if (feature.type === 'boolean' && input.type === 'bool') {
    return (records) =>
      new ort.Tensor(
        'bool',
        Uint8Array.from(records, (record) => (record[feature.name] === true ? 1 : 0)),
        dims(records.length),
      );
  }
  const type = input.type as NumericType;
  if (!NUMERIC_TYPES.includes(type))
    mismatch(source, `feature "${feature.name}" feeds input "${input.name}", which is ${input.type}; a ${feature.type} needs float32, float64 or int64`);
  if (type === 'int64' && feature.type === 'number')
    mismatch(source, `feature "${feature.name}" is a "number" but input "${input.name}" is int64; declare it "integer"`);
  const toNumber = (value: FeatureRecord[string] | undefined) => (feature.type === 'boolean' ? (value === true ? 1 : 0) : (value as number));
  return (records) =>
    new ort.Tensor(
      type,
      numericArray(
        type,
        Float64Array.from(records, (record) => toNumber(record[feature.name])),
      ),
      dims(records.length),
    );
}

/** One input per feature, named by the feature's `input` (default its name), as skl2onnx exports pipelines with named inputs. */
function planPerFeatureInputs(spec: ModelSpec, inputs: readonly Metadata[], source: string): InputFeeder {
  const columns = spec.features.map((feature) => {
    const name = feature.input ?? feature.name;
    return { name, build: featureColumn(feature, tensorInput(inputs, name, source, `feature "${feature.name}" feeds input`), source) };
  });
  const fed = new Set(columns.map((column) => column.name));
  if (fed.size !== columns.length) mismatch(source, 'two features name the same input');
  const unfed = inputs.filter((input) => !fed.has(input.name)).map((input) => input.name);
  if (unfed.length > 0) mismatch(source, `no feature feeds the model's input(s) ${unfed.join(', ')}; name them in a feature's "input"`);
  return (records) => Object.fromEntries(columns.map((column) => [column.name, column.build(records)]));
}

/**
 * Checks the model's declared inputs against the spec and returns the function
 * that feeds them; a mismatch stops loading with a message naming it.
 */
export function planInputs(spec: ModelSpec, inputs: readonly Metadata[], source: string): InputFeeder {
  if ((spec.input_layout ?? 'tensor') === 'per_feature') return planPerFeatureInputs(spec, inputs, source);
  const feeder = planTensorInput(spec, inputs, source);
  const others = inputs.filter((input) => input.name !== spec.input_name).map((input) => input.name);
  if (others.length > 0)
    mismatch(source, `the model also has input(s) ${others.join(', ')}, which the tensor layout leaves unfed; use "input_layout": "per_feature"`);
  return feeder;
}
