export interface SendTrafficOptions {
  /** Base URL of a running API, e.g. http://localhost:8000. */
  readonly url: string;
  /** Requests per second. */
  readonly rate: number;
  readonly durationSeconds: number;
  readonly next: () => Record<string, number | boolean | string>;
  /** Sent as `Authorization: Bearer` when /predict needs a key. */
  readonly apiKey?: string;
  /** Requests in flight at most; past it the generator waits rather than piling up. @defaultValue 64 */
  readonly maxInFlight?: number;
  readonly onProgress?: (report: TrafficReport) => void;
  /** Called with each answered prediction as it arrives (simulate's delayed labels need its probability). */
  readonly onPrediction?: (prediction: AnsweredPrediction) => void;
}

export interface AnsweredPrediction {
  readonly prediction_id: string;
  readonly probability: number;
}

export interface TrafficReport {
  sent: number;
  ok: number;
  failed: number;
  /** status code (or 'network') → count, for the failures. */
  readonly failures: Record<string, number>;
  readonly predictionIds: string[];
}

/** Sends single-instance /predict requests at a steady rate for a while. */
export async function sendTraffic(options: SendTrafficOptions): Promise<TrafficReport> {
  const report: TrafficReport = { sent: 0, ok: 0, failed: 0, failures: {}, predictionIds: [] };
  const maxInFlight = options.maxInFlight ?? 64;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  const total = Math.round(options.rate * options.durationSeconds);
  const started = performance.now();
  const inFlight = new Set<Promise<void>>();
  let lastProgress = started;

  for (let i = 0; i < total; i++) {
    // Pace by schedule, not by sleeping a fixed gap, so slow responses do not lower the rate.
    const due = started + (i * 1000) / options.rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    const request = (async () => {
      report.sent += 1;
      try {
        const response = await fetch(`${options.url}/predict`, { method: 'POST', headers, body: JSON.stringify({ features: options.next() }) });
        const body = (await response.json()) as { prediction_id?: string; probability?: number };
        if (response.ok && body.prediction_id) {
          report.ok += 1;
          report.predictionIds.push(body.prediction_id);
          if (typeof body.probability === 'number') options.onPrediction?.({ prediction_id: body.prediction_id, probability: body.probability });
        } else {
          report.failed += 1;
          report.failures[String(response.status)] = (report.failures[String(response.status)] ?? 0) + 1;
        }
      } catch {
        report.failed += 1;
        report.failures.network = (report.failures.network ?? 0) + 1;
      }
    })();
    const tracked = request.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    if (options.onProgress && performance.now() - lastProgress > 1000) {
      lastProgress = performance.now();
      options.onProgress(report);
    }
  }
  await Promise.all(inFlight);
  return report;
}
