import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';

/** The ONNX message types, parsed once from the hand-written subset beside this file. */
let modelProto: protobuf.Type | undefined;

export function onnxModelProto(): protobuf.Type {
  if (!modelProto) {
    const source = readFileSync(new URL('./onnx-subset.proto', import.meta.url), 'utf8');
    // keepCase: the messages are then built with onnx.proto's own snake_case names.
    const { root } = protobuf.parse(source, { keepCase: true });
    modelProto = root.lookupType('onnx.ModelProto');
  }
  return modelProto;
}

/** TensorProto.DataType.FLOAT */
export const ONNX_FLOAT = 1;
