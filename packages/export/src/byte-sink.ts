/** What a Writable may have beyond NodeJS.WritableStream: fs and HTTP streams have all of it. */
interface DestroyableStream extends NodeJS.WritableStream {
  destroy?(): unknown;
  readonly destroyed?: boolean;
  readonly writableEnded?: boolean;
}

/** The destination closed before the export ended it: a client that went away, a file closed under it. */
export class DestinationClosedError extends Error {
  constructor() {
    super('export: the destination closed before the export finished');
    this.name = 'DestinationClosedError';
  }
}

/**
 * The export's side of its destination: counts the bytes, waits for 'drain'
 * whenever the destination says its buffer is full (so a slow client or disk
 * holds the reading back instead of growing the heap), and turns the
 * destination failing or closing early (a client gone) into an error the
 * export stops on.
 */
export class ByteSink {
  bytes = 0;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  private ended = false;

  constructor(private readonly out: DestroyableStream) {
    if (out.destroyed === true || out.writableEnded === true) this.failure = new DestinationClosedError();
    out.on('error', (error: Error) => this.fail(error));
    // An HTTP response closes after it finishes too; only a close before end() is the client leaving.
    out.on('close', () => {
      if (!this.ended) this.fail(new DestinationClosedError());
    });
    out.on('drain', () => this.wakeUp());
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.wakeUp();
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private check(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  async write(chunk: string | Uint8Array): Promise<void> {
    this.check();
    const data = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    if (data.length === 0) return;
    this.bytes += data.length;
    if (this.out.write(data)) return;
    await new Promise<void>((resolve) => (this.wake = resolve));
    this.check();
  }

  /** Ends the destination and resolves once it has taken every byte ('finish'). */
  async end(): Promise<void> {
    this.check();
    this.ended = true;
    let finished = false;
    this.out.end(() => {
      finished = true;
      this.wakeUp();
    });
    while (!finished) {
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.check();
    }
  }

  /** Destroys the destination (when it can be): a reader sees a broken transfer, never a short file that looks whole. */
  abort(): void {
    this.ended = true;
    this.out.destroy?.();
  }
}
