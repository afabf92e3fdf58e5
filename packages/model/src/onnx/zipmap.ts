import { onnxModelProto, ONNX_FLOAT } from './onnx-schema';

/** A graph output produced by a ZipMap node, and the tensor that feeds it. */
export interface ZipMapOutput {
  /** The graph output (a sequence of maps onnxruntime-node cannot return). */
  readonly output: string;
  /** The float tensor [N, C] the ZipMap turns into maps: what serving fetches instead. */
  readonly tensor: string;
  /** The ZipMap's class labels, in column order. */
  readonly classLabels: readonly (number | string)[];
}

interface DecodedAttribute {
  name: string;
  ints: Array<number | { toNumber(): number }>;
  strings: Uint8Array[];
}
interface DecodedNode {
  op_type: string;
  input: string[];
  output: string[];
  attribute: DecodedAttribute[];
}
interface DecodedModel {
  graph?: { node: DecodedNode[]; output: { name: string }[] };
}

/** Finds the ZipMap node that produces graph output `output`, if one does. */
export function findZipMapOutput(modelBytes: Uint8Array, output: string): ZipMapOutput | undefined {
  const Model = onnxModelProto();
  const model = Model.toObject(Model.decode(modelBytes), { defaults: true, arrays: true }) as DecodedModel;
  const node = model.graph?.node.find((candidate) => candidate.op_type === 'ZipMap' && candidate.output.includes(output));
  const tensor = node?.input[0];
  if (!node || tensor === undefined) return undefined;
  const attribute = (name: string) => node.attribute.find((entry) => entry.name === name);
  const ints = attribute('classlabels_int64s')?.ints ?? [];
  const strings = attribute('classlabels_strings')?.strings ?? [];
  const classLabels =
    ints.length > 0 ? ints.map((value) => (typeof value === 'number' ? value : value.toNumber())) : strings.map((value) => Buffer.from(value).toString('utf8'));
  return { output, tensor, classLabels };
}

/**
 * Returns the model with `zipMap.tensor` added as a graph output (float [N, C]),
 * so onnxruntime-node can fetch the probabilities the ZipMap would wrap in maps.
 *
 * The addition is appended as a second serialized `ModelProto{graph{output}}`:
 * protobuf parsers merge a repeated embedded message field, so the original
 * bytes are kept exactly (no decode and re-encode that could drop fields this
 * subset of onnx.proto does not know).
 */
export function exposeZipMapInput(modelBytes: Uint8Array, zipMap: ZipMapOutput): Uint8Array {
  const Model = onnxModelProto();
  const addition = Model.encode(
    Model.fromObject({
      graph: {
        output: [
          {
            name: zipMap.tensor,
            type: {
              tensor_type: {
                elem_type: ONNX_FLOAT,
                shape: { dim: [{ dim_param: 'N' }, { dim_value: zipMap.classLabels.length }] },
              },
            },
          },
        ],
      },
    }),
  ).finish();
  const merged = new Uint8Array(modelBytes.byteLength + addition.byteLength);
  merged.set(modelBytes, 0);
  merged.set(addition, modelBytes.byteLength);
  return merged;
}
