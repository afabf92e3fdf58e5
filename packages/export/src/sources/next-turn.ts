/** Rows per batch a source hands out; between batches it lets the event loop run. */
export const BATCH_ROWS = 4096;

/**
 * Lets the event loop run (timers, sockets, other requests) before the next
 * batch: a synchronous read of millions of rows must not hold an HTTP server.
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
