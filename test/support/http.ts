import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A JSON answer from the API under test. */
export interface JsonResponse<T = unknown> {
  status: number;
  body: T;
  contentType: string | null;
  headers: Headers;
}

/** Something that can listen like an Express app (`app.listen(port, host)`). */
export interface Listenable {
  listen(port: number, host: string): Server;
}

/** An app listening on 127.0.0.1 on a port of its own (0: the OS picks one), for a test. */
export interface Listening {
  readonly port: number;
  /** Stops it, ending kept-alive connections too. */
  close(): Promise<void>;
}

export async function listen(app: Listenable): Promise<Listening> {
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** Real HTTP against the running API; body may be an object (sent as JSON) or raw text. */
export async function request<T = unknown>(
  port: number,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResponse<T>> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' || body instanceof Uint8Array ? (body as string) : JSON.stringify(body);
    init.headers = { 'content-type': 'application/json', ...headers };
  }
  const response = await fetch(`http://127.0.0.1:${port}${path}`, init);
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: callers that expect JSON assert on it
  }
  return { status: response.status, body: parsed as T, contentType: response.headers.get('content-type'), headers: response.headers };
}
