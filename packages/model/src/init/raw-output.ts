import * as ort from 'onnxruntime-node';
import type { FeatureRecord } from '../model-spec';
import type { InputFeeder } from '../model-inputs';
import { ModelInitError } from './init-error';

const BATCH = 1000;

/**
 * Every value output `fetch` gives for `records`, row after row, before any
 * transform: what tells a probability from a logit. Run in batches so a
 * large sample never builds one huge tensor.
 */
export async function rawOutputValues(
  session: ort.InferenceSession,
  feed: InputFeeder,
  fetch: string,
  records: readonly FeatureRecord[],
): Promise<Float64Array> {
  const parts: ArrayLike<number>[] = [];
  let length = 0;
  for (let start = 0; start < records.length; start += BATCH) {
    let result: ort.InferenceSession.ReturnType;
    try {
      result = await session.run(feed(records.slice(start, start + BATCH)), [fetch]);
    } catch (error) {
      throw new ModelInitError(`the model fails on the sample's rows ${start + 1} to ${Math.min(start + BATCH, records.length)}: ${(error as Error).message}`);
    }
    const data = result[fetch]?.data;
    if (!(data instanceof Float32Array || data instanceof Float64Array)) throw new ModelInitError(`output ${fetch} gave no float values`);
    parts.push(data);
    length += data.length;
  }
  const values = new Float64Array(length);
  let at = 0;
  for (const part of parts) {
    values.set(part, at);
    at += part.length;
  }
  return values;
}
