import { createHmac } from 'node:crypto';
import type { AlertNotification } from './alert-evaluator';

/** The signature header: `sha256=<hex HMAC of "<timestamp>.<body>">`, so a receiver can check the sender and reject replays. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * POSTs one notification to one webhook. Any non-2xx answer or network
 * failure throws, so the notification queue retries it with backoff.
 */
export async function sendWebhook(url: string, notification: AlertNotification, secret: string | undefined, timeoutMs = 5000): Promise<void> {
  const body = JSON.stringify(notification);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'vigil-alerts', 'x-vigil-timestamp': timestamp, 'x-vigil-notification-id': notification.id };
  if (secret) headers['x-vigil-signature'] = signWebhook(secret, timestamp, body);
  const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`webhook ${new URL(url).host} answered ${response.status}`);
}
