/**
 * Baseline: the floor of this stack (issue 18). Express parses the JSON body, the
 * features are encoded as the spec says, onnxruntime-node runs the same model, and
 * the answer goes back: no validation, no middleware, no metrics, no logging.
 * Nothing a real service can do without, so Vigil / floor is the honest overhead. Env: PORT.
 */
import { once } from 'node:events';
import express from 'express';
import * as ort from 'onnxruntime-node';
import { encodedWidth, encodeInto, loadModelSpec, type FeatureRecord, type TensorModelSpec } from '@vigil/model';

const spec = loadModelSpec('artifacts/model.spec.json') as TensorModelSpec;
const session = await ort.InferenceSession.create('artifacts/model.onnx', { intraOpNumThreads: 1, interOpNumThreads: 1, executionProviders: ['cpu'] });
const width = encodedWidth(spec);
const app = express();
app.disable('x-powered-by');
app.use(express.json({ limit: 1024 * 1024 }));
app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
app.post('/predict', async (req, res) => {
  const body = req.body as { features?: FeatureRecord; instances?: FeatureRecord[] };
  const instances = body.features !== undefined ? [body.features] : (body.instances ?? []);
  const input = new Float32Array(instances.length * width);
  instances.forEach((instance, i) => encodeInto(spec, instance, input, i * width));
  const output = await session.run({ [spec.input_name]: new ort.Tensor('float32', input, [instances.length, width]) });
  const probabilities = output[spec.output_name]?.data as Float32Array;
  const answers = Array.from(probabilities, (probability) => ({ prediction: probability >= spec.threshold ? 1 : 0, probability }));
  res.json(body.features !== undefined ? answers[0] : { predictions: answers });
});

const server = app.listen(Number(process.env.PORT ?? '0'), '127.0.0.1');
await once(server, 'listening');
process.stderr.write(`floor-app listening\n`);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
  });
}
