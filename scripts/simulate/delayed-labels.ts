import { MAX_FEEDBACK_LABELS } from '@vigil/records';
import type { AnsweredPrediction } from '@vigil/traffic';
import type { LabelRule } from './label-rules';

export interface DelayedLabelsOptions {
  /** Base URL of the API, e.g. http://localhost:8000. */
  readonly url: string;
  /** Sent as `Authorization: Bearer` when /feedback needs a key. */
  readonly apiKey?: string | undefined;
  readonly delayMs: number;
  readonly fraction: number;
  readonly rule: LabelRule;
  /** Uniform draws in [0, 1): one decides whether a prediction gets a label, the next draws the label. */
  readonly random: () => number;
}

export interface LabelReport {
  /** Labels drawn and waiting for their time. */
  pending: number;
  sent: number;
  accepted: number;
  failed: number;
  /** status code (or 'network') → labels, for the failures. */
  readonly failures: Record<string, number>;
}

interface Due {
  readonly at: number;
  readonly prediction_id: string;
  readonly label: 0 | 1;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** How often the sender looks for due labels at most: the delay is honoured to about this. */
const POLL_MS = 100;

/**
 * Labels sent through POST /feedback a fixed delay after their prediction's
 * answer, as ground truth arrives in production (later, and for some
 * predictions only). One request at a time, up to the API's 1,000 labels
 * each; labeled_at is left to the API (when it received the label), so the
 * label delay monitoring reports is the delay asked for plus the transit.
 * A failed request is counted, not retried: a simulator should show what
 * happened, not hide it.
 */
export class DelayedLabels {
  readonly report: LabelReport = { pending: 0, sent: 0, accepted: 0, failed: 0, failures: {} };
  // The delay is the same for every label, so answers arrive in due order and a FIFO suffices.
  private readonly queue: Due[] = [];
  private head = 0;
  private finishing = false;
  private readonly running: Promise<void>;

  constructor(private readonly options: DelayedLabelsOptions) {
    this.running = this.loop();
  }

  /** Called with each answered prediction: draws whether it gets a label and which, and schedules it. */
  add(prediction: AnsweredPrediction): void {
    if (this.options.random() >= this.options.fraction) return;
    const label = this.options.rule(prediction.probability, this.options.random());
    this.queue.push({ at: Date.now() + this.options.delayMs, prediction_id: prediction.prediction_id, label });
    this.report.pending += 1;
  }

  /** How long until the last scheduled label is due (0 if none waits). */
  remainingMs(): number {
    const last = this.queue[this.queue.length - 1];
    return this.head < this.queue.length && last !== undefined ? Math.max(0, last.at - Date.now()) : 0;
  }

  /** Sends every scheduled label when it falls due, then resolves. */
  async finish(): Promise<LabelReport> {
    this.finishing = true;
    await this.running;
    return this.report;
  }

  private async loop(): Promise<void> {
    for (;;) {
      const now = Date.now();
      let end = this.head;
      while (end < this.queue.length && end - this.head < MAX_FEEDBACK_LABELS && this.queue[end]!.at <= now) end += 1;
      if (end > this.head) {
        const batch = this.queue.slice(this.head, end);
        this.head = end;
        // Drop what was sent now and then, so a long run does not keep every label it ever sent.
        if (this.head > 10_000) {
          this.queue.splice(0, this.head);
          this.head = 0;
        }
        await this.post(batch);
        continue;
      }
      if (this.finishing && this.head === this.queue.length) return;
      const next = this.queue[this.head];
      await sleep(next === undefined ? POLL_MS : Math.min(POLL_MS, Math.max(1, next.at - now)));
    }
  }

  private async post(batch: readonly Due[]): Promise<void> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    const body = JSON.stringify({ labels: batch.map(({ prediction_id, label }) => ({ prediction_id, label })) });
    this.report.pending -= batch.length;
    this.report.sent += batch.length;
    try {
      const response = await fetch(`${this.options.url}/feedback`, { method: 'POST', headers, body });
      await response.arrayBuffer();
      if (response.status === 202) this.report.accepted += batch.length;
      else this.fail(String(response.status), batch.length);
    } catch {
      this.fail('network', batch.length);
    }
  }

  private fail(reason: string, count: number): void {
    this.report.failed += count;
    this.report.failures[reason] = (this.report.failures[reason] ?? 0) + count;
  }
}
