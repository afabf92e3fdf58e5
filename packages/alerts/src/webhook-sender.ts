import { createHmac } from 'node:crypto';
import { PermanentError } from '@vigil/errors';
import type { AlertNotification } from './alert-evaluator';

/** 4xx answers that say "later", not "never": a retry can succeed. */
const RETRYABLE_CLIENT_STATUSES = new Set([408, 425, 429]);

/** The signature header: `sha256=<hex HMAC of "<timestamp>.<body>">`, so a receiver can check the sender and reject replays. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * POSTs one notification to one webhook. A network failure, a timeout, a
 * 5xx or a "come back later" 4xx throws a plain Error, so the notification
 * queue retries it with backoff; any other 4xx (a wrong URL, a refused
 * signature) will be refused again, so it throws a PermanentError and the
 * delivery worker stops retrying.
 */
export async function sendWebhook(url: string, notification: AlertNotification, secret: string | undefined, timeoutMs = 5000): Promise<void> {
  const body = JSON.stringify(notification);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'vigil-alerts',
    'x-vigil-timestamp': timestamp,
    'x-vigil-notification-id': notification.id,
  };
  if (secret) headers['x-vigil-signature'] = signWebhook(secret, timestamp, body);
  const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
  if (response.ok) return;
  const message = `webhook ${new URL(url).host} answered ${response.status}`;
  if (response.status >= 400 && response.status < 500 && !RETRYABLE_CLIENT_STATUSES.has(response.status)) {
    throw new PermanentError('WEBHOOK_REJECTED', message, { status: response.status });
  }
  throw new Error(message);
}
