// @ts-check
/* global process, console */
// A model server that logs every prediction into a Vigil worker. The five
// lines marked "Vigil" are all it takes; the rest is an ordinary Express app.
//
//   REDIS_URL   the Redis the Vigil worker reads (default redis://127.0.0.1:6379)
//   QUEUE_NAME  the worker's QUEUE_NAME (default vigil-predictions)
//   JOURNAL_DIR where records wait while Redis is away (default: a folder in the OS temp dir)
//   PORT, HOST  where to listen (default 3000 on 127.0.0.1)
import express from 'express';
import { createVigilLogger, recordPrediction, vigilMiddleware } from '@vigil/prediction-log'; // Vigil 1/5
import { featuresProblem, MODEL_VERSION, score } from './model.js';

const { REDIS_URL = 'redis://127.0.0.1:6379', QUEUE_NAME = 'vigil-predictions', JOURNAL_DIR, PORT = '3000', HOST = '127.0.0.1' } = process.env;
const vigil = createVigilLogger({ redisUrl: REDIS_URL, queueName: QUEUE_NAME, journalDir: JOURNAL_DIR }); // Vigil 2/5

const app = express();
app.use(express.json());

// Vigil 3/5 (next line): the middleware logs the prediction the route records, just before the answer leaves.
app.post('/predict', vigilMiddleware(vigil, { modelVersion: MODEL_VERSION }), (req, res) => {
  const features = req.body?.features;
  const problem = featuresProblem(features);
  // Vigil's error shape; a 4xx answer is not logged (the client got no prediction).
  if (problem !== undefined) return void res.status(400).json({ error: { code: 'INVALID_FEATURES', message: problem, details: {} } });
  const { prediction, probability } = score(features);
  const prediction_id = recordPrediction(res, { features, prediction, probability }); // Vigil 4/5
  res.json({ prediction_id, model_version: MODEL_VERSION, prediction, probability });
});

// A body that is not JSON, or any other error, in the same shape (Express would answer with an HTML page).
app.use(
  /** @type {express.ErrorRequestHandler} */ (error, _req, res, next) => {
    // Too late for an answer of our own once the headers are out: Express closes the connection.
    if (res.headersSent) return next(error);
    const status = typeof error?.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 500;
    const code = status === 500 ? 'INTERNAL_ERROR' : 'INVALID_REQUEST';
    res.status(status).json({ error: { code, message: status === 500 ? 'Internal error' : String(error.message), details: {} } });
  },
);

// Redis up or down, and how much waits in the journal.
app.get('/healthz', (_req, res) => void res.json(vigil.health()));

const server = app.listen(Number(PORT), HOST, () => {
  const address = server.address();
  if (typeof address === 'object' && address !== null) console.log(`listening on http://${address.address}:${address.port}`);
});

async function shutdown() {
  await new Promise((resolve) => server.close(resolve));
  await vigil.close(); // Vigil 5/5: what Redis has not taken yet stays in the journal for the next start
  process.exit(0);
}
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
