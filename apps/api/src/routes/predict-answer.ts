import type { ServerResponse } from 'node:http';

/** One instance's answer, in the order the fields are sent. */
export interface PredictionResult {
  prediction_id: string;
  model_version: string;
  prediction: 0 | 1;
  probability: number;
  latency_ms: number;
}

/**
 * The /predict answers, serialised by hand for their one fixed shape: what JSON.stringify
 * writes for them, byte for byte (the tests compare), without the generic walk, and sent
 * without res.json's ETag hash (an ETag on a POST answer revalidates nothing).
 * Prediction ids are UUIDs and the numbers finite, so neither needs escaping; the model
 * version is escaped once, when the serializer is made.
 */
export function predictAnswerSerializer(modelVersion: string): {
  one(result: PredictionResult): string;
  batch(results: readonly PredictionResult[]): string;
} {
  const version = JSON.stringify(modelVersion);
  const item = (result: PredictionResult): string =>
    `{"prediction_id":"${result.prediction_id}","model_version":${version},"prediction":${result.prediction},` +
    `"probability":${numberJson(result.probability)},"latency_ms":${numberJson(result.latency_ms)}}`;
  return {
    one: item,
    batch(results) {
      let body = `{"model_version":${version},"predictions":[`;
      for (let i = 0; i < results.length; i++) body += (i === 0 ? '' : ',') + item(results[i] as PredictionResult);
      return body + ']}';
    },
  };
}

/** JSON.stringify's text for a number: NaN and ±Infinity become null. */
function numberJson(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}

/** A 200 with a JSON body, the headers res.json would send but the ETag. */
export function sendJson(res: ServerResponse, body: string): void {
  res.statusCode = 200;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}
