import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  readonly headers: Record<string, string | string[] | undefined>;
  readonly raw: string;
  readonly body: Record<string, unknown>;
}

/** A webhook receiver of the test's own: records every POST; can be told to fail. */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  /** Answer this many requests with `failStatus` first (to exercise retries). */
  failNext = 0;
  /** What a failed request is answered with: 500 is retried, a 400 must not be. */
  failStatus = 500;
  /** Every request that arrived, answered with a failure or not. */
  requests = 0;

  private constructor(private readonly server: Server) {}

  static async start(): Promise<WebhookReceiver> {
    const server = createServer();
    const receiver = new WebhookReceiver(server);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      let raw = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (raw += chunk));
      req.on('end', () => {
        receiver.requests += 1;
        if (receiver.failNext > 0) {
          receiver.failNext -= 1;
          res.writeHead(receiver.failStatus).end();
          return;
        }
        receiver.received.push({ headers: req.headers, raw, body: JSON.parse(raw) as Record<string, unknown> });
        res.writeHead(204).end();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
