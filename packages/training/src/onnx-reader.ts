import type { Activation, DenseLayer, Network } from './network';
import { onnxModelProto, ONNX_FLOAT } from '@vigil/model';

interface DecodedTensor {
  name: string;
  dims: Array<number | { toNumber(): number }>;
  data_type: number;
  raw_data: Uint8Array;
}
interface DecodedNode {
  op_type: string;
  input: string[];
  output: string[];
}
interface DecodedModel {
  graph: { node: DecodedNode[]; initializer: DecodedTensor[] };
}

/**
 * Reads back a model written by networkToOnnx, so a test can run the
 * trainer's forward pass on the committed model.onnx. Only understands the
 * exporter's own layout (Sub, Div, then MatMul/Add/activation per layer).
 */
export function onnxToNetwork(bytes: Uint8Array): Network {
  const model = onnxModelProto().toObject(onnxModelProto().decode(bytes), { defaults: true, arrays: true }) as DecodedModel;
  const tensors = new Map<string, Float64Array>();
  for (const tensor of model.graph.initializer) {
    if (tensor.data_type !== ONNX_FLOAT) throw new Error(`initializer ${tensor.name} is not float32`);
    const view = new DataView(tensor.raw_data.buffer, tensor.raw_data.byteOffset, tensor.raw_data.byteLength);
    tensors.set(
      tensor.name,
      Float64Array.from({ length: tensor.raw_data.byteLength / 4 }, (_, i) => view.getFloat32(i * 4, true)),
    );
  }
  const dims = new Map(model.graph.initializer.map((t) => [t.name, t.dims.map((d) => (typeof d === 'number' ? d : d.toNumber()))]));
  const get = (name: string): Float64Array => {
    const value = tensors.get(name);
    if (!value) throw new Error(`missing initializer ${name}`);
    return value;
  };
  const activations: Record<string, Activation> = { Relu: 'relu', Tanh: 'tanh', Sigmoid: 'sigmoid' };
  const layers: DenseLayer[] = [];
  const nodes = model.graph.node;
  nodes.forEach((node, index) => {
    if (node.op_type !== 'MatMul') return;
    const add = nodes[index + 1];
    const activation = nodes[index + 2];
    const weightName = node.input[1] ?? '';
    const biasName = add?.input[1] ?? '';
    const activationName = activations[activation?.op_type ?? ''];
    const [inputs, outputs] = dims.get(weightName) ?? [];
    if (add?.op_type !== 'Add' || !activationName || inputs === undefined || outputs === undefined) throw new Error('unexpected graph layout');
    layers.push({ inputs, outputs, weights: get(weightName), bias: get(biasName), activation: activationName });
  });
  return { inputMean: get('input_mean'), inputScale: get('input_scale'), layers };
}
