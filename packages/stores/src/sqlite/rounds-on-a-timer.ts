/** A background job that runs in rounds on a timer (retention, quality folding). */
export interface RoundsOnATimer {
  /** Whether stop() was called (a round is handed this check, to look at between its steps). */
  readonly stopped: boolean;
  /** Stops the timer and waits for a round in progress. */
  stop(): Promise<void>;
}

export interface RoundsOptions {
  readonly intervalMs: number;
  /** Also one round now, not only after the first interval. */
  readonly runNow: boolean;
  /** A round that throws is reported here; the next one tries again. */
  readonly onFailure: (error: Error) => void;
}

/**
 * Runs `round` every `intervalMs` (handing it a check of whether stop() was called), never two at once (a tick while one runs
 * is skipped). The timer does not keep the process alive.
 */
export function startRounds(round: (isStopped: () => boolean) => Promise<unknown>, options: RoundsOptions): RoundsOnATimer {
  let stopped = false;
  let running: Promise<unknown> | undefined;
  const tick = () => {
    running ??= round(() => stopped)
      .catch((error: Error) => options.onFailure(error))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, options.intervalMs);
  timer.unref();
  if (options.runNow) tick();
  return {
    get stopped() {
      return stopped;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
