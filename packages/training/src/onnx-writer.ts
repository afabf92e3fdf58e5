import type { Network } from './network';
import { onnxModelProto, ONNX_FLOAT } from '@vigil/model';

/** ONNX IR version 8 with opset 17: what onnxruntime 1.14+ and every current tool reads. */
export const IR_VERSION = 8;
export const OPSET_VERSION = 17;

export interface OnnxExportOptions {
  readonly inputName: string;
  readonly outputName: string;
  readonly modelVersion: string;
  readonly docString?: string;
}

interface TensorInit {
  name: string;
  dims: number[];
  data_type: number;
  raw_data: Uint8Array;
}

interface NodeInit {
  name: string;
  op_type: string;
  input: string[];
  output: string[];
}

/**
 * Serialises the network as an ONNX ModelProto. The graph takes the raw
 * encoded vector, float32 [N, F] with a symbolic batch dimension "N", and
 * standardises it itself (Sub, Div), so serving never needs the training
 * statistics; then MatMul/Add/activation per layer and a Sigmoid giving
 * float32 [N, 1] P(fraud).
 */
export function networkToOnnx(network: Network, options: OnnxExportOptions): Uint8Array {
  const width = network.inputMean.length;
  const initializer: TensorInit[] = [floatTensor('input_mean', [width], network.inputMean), floatTensor('input_scale', [width], network.inputScale)];
  const node: NodeInit[] = [
    { name: 'standardize_sub', op_type: 'Sub', input: [options.inputName, 'input_mean'], output: ['centered'] },
    { name: 'standardize_div', op_type: 'Div', input: ['centered', 'input_scale'], output: ['standardized'] },
  ];
  let current = 'standardized';
  network.layers.forEach((layer, index) => {
    const last = index === network.layers.length - 1;
    if (last && (layer.activation !== 'sigmoid' || layer.outputs !== 1)) throw new Error('the last layer must be one sigmoid unit');
    const prefix = `dense${index}`;
    initializer.push(floatTensor(`${prefix}_weight`, [layer.inputs, layer.outputs], layer.weights));
    initializer.push(floatTensor(`${prefix}_bias`, [layer.outputs], layer.bias));
    const activationOutput = last ? options.outputName : `${prefix}_out`;
    node.push(
      { name: `${prefix}_matmul`, op_type: 'MatMul', input: [current, `${prefix}_weight`], output: [`${prefix}_product`] },
      { name: `${prefix}_add`, op_type: 'Add', input: [`${prefix}_product`, `${prefix}_bias`], output: [`${prefix}_linear`] },
      { name: `${prefix}_${layer.activation}`, op_type: ONNX_ACTIVATIONS[layer.activation], input: [`${prefix}_linear`], output: [activationOutput] },
    );
    current = activationOutput;
  });

  const Model = onnxModelProto();
  const message = Model.fromObject({
    ir_version: IR_VERSION,
    opset_import: [{ domain: '', version: OPSET_VERSION }],
    producer_name: '@vigil/training',
    producer_version: '1.0.0',
    model_version: 1,
    doc_string: options.docString ?? '',
    graph: {
      name: 'fraud_classifier',
      node,
      initializer,
      input: [tensorValueInfo(options.inputName, [{ dim_param: 'N' }, { dim_value: width }])],
      output: [tensorValueInfo(options.outputName, [{ dim_param: 'N' }, { dim_value: 1 }])],
    },
    metadata_props: [{ key: 'model_version', value: options.modelVersion }],
  });
  return Model.encode(message).finish();
}

const ONNX_ACTIVATIONS = { relu: 'Relu', tanh: 'Tanh', sigmoid: 'Sigmoid' } as const;

/** float32 little-endian raw_data, written explicitly so the bytes do not depend on the host. */
function floatTensor(name: string, dims: number[], values: ArrayLike<number>): TensorInit {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i] as number, true);
  return { name, dims, data_type: ONNX_FLOAT, raw_data: bytes };
}

function tensorValueInfo(name: string, dim: Array<{ dim_param: string } | { dim_value: number }>) {
  return { name, type: { tensor_type: { elem_type: ONNX_FLOAT, shape: { dim } } } };
}
