import { Agent, request } from 'node:http';

/** Options for {@link LoadGenerator}. */
export interface LoadGeneratorOptions {
  /** The API replicas, used round-robin. */
  readonly ports: readonly number[];
  /** Requests in flight at once. */
  readonly concurrency: number;
  /** Ready-made JSON bodies for single-instance POST /predict, used in turn. */
  readonly bodies: readonly string[];
  /** A prediction still without a 200 after this long (over every retry) is given up and counted as failed. */
  readonly giveUpAfterMs?: number;
}

interface Answer {
  readonly status: number;
  readonly text: string;
}

/**
 * Why an attempt failed. `refused`: the connection was never made, so the API
 * cannot have scored (or logged) anything. `ambiguous`: the request may have
 * reached the API (a reset or hang-up after it was written): a record may
 * exist for a prediction whose id the client never saw.
 */
type FailureKind = 'refused' | 'ambiguous';

class AttemptError extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The test's client: keeps `concurrency` single-instance /predict requests in
 * flight, round-robin over the replicas, and records for every 200 its
 * prediction_id, when the prediction was first attempted, when it was
 * answered (acknowledged) and how long it took (retries included). An
 * attempt that fails because a replica is down or shutting down is retried on
 * the next replica: it got no prediction_id, so it does not count.
 */
export class LoadGenerator {
  readonly ids: string[] = [];
  /** ms since `origin`, when each successful prediction was first attempted. */
  readonly startedAt: number[] = [];
  /** ms from the first attempt to the 200, retries included. */
  readonly latencies: number[] = [];
  /** ms since `origin`, when each successful prediction's 200 arrived: when it was acknowledged. */
  readonly answeredAt: number[] = [];
  readonly failures = { refused: 0, ambiguous: 0 };
  /** Non-200 answers, by status: a fault of the API, never retried. */
  readonly httpErrors = new Map<number, number>();
  /** Predictions given up after giveUpAfterMs. */
  givenUp = 0;
  readonly errorSamples: string[] = [];

  private readonly agents: Agent[];
  private readonly inFlight: number[];
  /** Replicas a load balancer would have taken out of rotation. */
  private readonly excluded = new Set<number>();
  private next = 0;
  private stopped = false;
  private readonly giveUpAfterMs: number;

  constructor(
    private readonly options: LoadGeneratorOptions,
    /** performance.now() of the test's start: every time recorded is relative to it. */
    private readonly origin: number,
  ) {
    this.agents = options.ports.map(() => this.newAgent());
    this.inFlight = options.ports.map(() => 0);
    this.giveUpAfterMs = options.giveUpAfterMs ?? 60_000;
  }

  get succeeded(): number {
    return this.ids.length;
  }

  /** Runs until `done()` is true (checked before each new prediction), then waits for those in flight. */
  async run(done: () => boolean): Promise<void> {
    let body = 0;
    const loop = async () => {
      while (!this.stopped && !done()) {
        await this.predict(this.options.bodies[body++ % this.options.bodies.length] as string);
      }
    };
    await Promise.all(Array.from({ length: this.options.concurrency }, loop));
  }

  /**
   * What a load balancer does with a replica that is going away: no new
   * request goes to it; once those in flight are answered, the client's
   * keep-alive connections to it are closed.
   */
  async takeOutOfRotation(replica: number): Promise<void> {
    this.excluded.add(replica);
    while ((this.inFlight[replica] as number) > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    this.agents[replica]?.destroy();
    this.agents[replica] = this.newAgent();
  }

  putBackInRotation(replica: number): void {
    this.excluded.delete(replica);
  }

  stop(): void {
    this.stopped = true;
  }

  close(): void {
    for (const agent of this.agents) agent.destroy();
  }

  private async predict(body: string): Promise<void> {
    const started = performance.now();
    let failuresInARow = 0;
    for (;;) {
      let replica = this.next++ % this.options.ports.length;
      while (this.excluded.has(replica) && this.excluded.size < this.options.ports.length) replica = this.next++ % this.options.ports.length;
      this.inFlight[replica] = (this.inFlight[replica] as number) + 1;
      try {
        const answer = await this.post(replica, body).finally(() => {
          this.inFlight[replica] = (this.inFlight[replica] as number) - 1;
        });
        if (answer.status !== 200) {
          this.httpErrors.set(answer.status, (this.httpErrors.get(answer.status) ?? 0) + 1);
          if (this.errorSamples.length < 20) this.errorSamples.push(`HTTP ${answer.status}: ${answer.text.slice(0, 300)}`);
          return;
        }
        const id = (JSON.parse(answer.text) as { prediction_id?: unknown }).prediction_id;
        if (typeof id !== 'string') throw new Error(`a 200 without prediction_id: ${answer.text.slice(0, 300)}`);
        const now = performance.now();
        this.ids.push(id);
        this.startedAt.push(started - this.origin);
        this.latencies.push(now - started);
        this.answeredAt.push(now - this.origin);
        return;
      } catch (error) {
        if (!(error instanceof AttemptError)) throw error;
        this.failures[error.kind] += 1;
        if (this.errorSamples.length < 20) this.errorSamples.push(`port ${this.options.ports[replica]}: ${error.kind}: ${error.message}`);
        if (performance.now() - started > this.giveUpAfterMs) {
          this.givenUp += 1;
          return;
        }
        // Straight to the next replica; back off a little only once every replica has refused.
        failuresInARow += 1;
        if (failuresInARow % this.options.ports.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  }

  private newAgent(): Agent {
    return new Agent({ keepAlive: true, maxSockets: this.options.concurrency });
  }

  private post(replica: number, body: string): Promise<Answer> {
    const port = this.options.ports[replica] as number;
    return new Promise<Answer>((resolve, reject) => {
      let written = false;
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/predict',
          method: 'POST',
          agent: this.agents[replica],
          timeout: 30_000,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', (error) => reject(new AttemptError('ambiguous', `response: ${error.message}`)));
        },
      );
      req.on('socket', (socket) => {
        // A reused keep-alive socket is already connected; a new one is once 'connect' fires.
        if (!socket.connecting) written = true;
        else socket.once('connect', () => (written = true));
      });
      req.on('timeout', () => req.destroy(new Error('request timed out')));
      req.on('error', (error: NodeJS.ErrnoException) => {
        const kind: FailureKind = error.code === 'ECONNREFUSED' || !written ? 'refused' : 'ambiguous';
        reject(new AttemptError(kind, `${error.code ?? ''} ${error.message}`.trim()));
      });
      req.end(body);
    });
  }
}

/**
 * max and p99 (nearest rank) of the latencies of the predictions in flight at
 * some point of [from, to] (ms since origin): a request that started just
 * before a fault and was held up by it counts for that fault.
 */
export function latencyIn(generator: LoadGenerator, from: number, to: number): { count: number; max: number; p99: number } {
  const values: number[] = [];
  generator.startedAt.forEach((at, i) => {
    const latency = generator.latencies[i] as number;
    if (at <= to && at + latency >= from) values.push(latency);
  });
  if (values.length === 0) return { count: 0, max: Number.NaN, p99: Number.NaN };
  values.sort((a, b) => a - b);
  const p99 = values[Math.min(values.length - 1, Math.ceil(0.99 * values.length) - 1)] as number;
  return { count: values.length, max: values[values.length - 1] as number, p99 };
}

/** The prediction_ids acknowledged (answered 200) within [from, to] (ms since origin). */
export function acknowledgedIn(generator: LoadGenerator, from: number, to: number): string[] {
  const ids: string[] = [];
  generator.answeredAt.forEach((at, i) => {
    if (at >= from && at <= to) ids.push(generator.ids[i] as string);
  });
  return ids;
}
