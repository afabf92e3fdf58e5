/**
 * The wait between announcing a shutdown (/readyz 503) and draining, so a
 * load balancer has stopped routing here before the listener closes. Its
 * end only ever moves earlier: SIGTERM starts a grace of SHUTDOWN_GRACE_MS,
 * and a Ctrl-C during it (a grace of 0) ends it at once.
 */
export interface ShutdownGrace {
  /** Ends the grace at most `ms` from now; the first call starts it. */
  shorten(ms: number): void;
  /** Started and not over yet. */
  readonly pending: boolean;
  /** Resolves once the grace is over (never, if it was not started). */
  elapsed(): Promise<void>;
}

export function shutdownGrace(): ShutdownGrace {
  let deadline = Number.POSITIVE_INFINITY;
  let timer: NodeJS.Timeout | undefined;
  let ended = false;
  let resolveOver!: () => void;
  const over = new Promise<void>((resolve) => {
    resolveOver = resolve;
  });
  // Over when the timer fires, not when the clock passes the deadline: a timer may fire
  // a fraction of a millisecond before performance.now() reaches it.
  const release = () => {
    ended = true;
    resolveOver();
  };
  return {
    shorten(ms) {
      const wait = Math.max(0, ms);
      const end = performance.now() + wait;
      if (end >= deadline) return;
      deadline = end;
      clearTimeout(timer);
      // Not unref'd: the process is meant to stay up and answer during the grace.
      if (wait === 0) release();
      else timer = setTimeout(release, wait);
    },
    get pending() {
      return Number.isFinite(deadline) && !ended;
    },
    elapsed: () => over,
  };
}
