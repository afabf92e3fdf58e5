import type { ServerResponse } from 'node:http';

/**
 * Calls `listener` once, just before the response's status line and headers
 * are written: when the handler calls `writeHead`, or when Node calls it for
 * the handler on the first write or `end()` (Express's `res.json` and
 * `res.send` end there). Nothing has reached the client yet at that point,
 * which is what lets the middleware journal a prediction before its answer
 * leaves. A listener that throws fails the handler's write, so it must not.
 */
export function beforeHeaders(res: ServerResponse, listener: (statusCode: number) => void): void {
  const writeHead = res.writeHead;
  let called = false;
  function writeHeadAfterListener(this: ServerResponse, ...args: unknown[]): ServerResponse {
    if (!called) {
      called = true;
      // writeHead(status, …) sets statusCode itself, after this point; an implicit call passes the statusCode already set.
      listener(typeof args[0] === 'number' ? args[0] : this.statusCode);
    }
    return Reflect.apply(writeHead, this, args) as ServerResponse;
  }
  res.writeHead = writeHeadAfterListener as ServerResponse['writeHead'];
}
