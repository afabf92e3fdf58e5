import type { Response } from 'express';

/** The body of every error answer: `{ "error": { "code", "message", "details" } }`. */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly details: Readonly<Record<string, unknown>> };
}

export function errorBody(code: string, message: string, details: Readonly<Record<string, unknown>> = {}): ErrorBody {
  return { error: { code, message, details } };
}

/** Writes an error answer through Express: the one place a handler's error becomes JSON. */
export function sendError(res: Response, status: number, body: ErrorBody): void {
  res.status(status).json(body);
}

const REASONS: Readonly<Record<number, string>> = { 400: 'Bad Request', 431: 'Request Header Fields Too Large' };

/**
 * The same answer as raw HTTP/1.1 bytes, for a request Node's parser refused
 * before Express saw it (no Response exists then, only the socket).
 */
export function rawErrorResponse(status: number, body: ErrorBody): string {
  const text = JSON.stringify(body);
  const head = [
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}`,
    'content-type: application/json; charset=utf-8',
    `content-length: ${Buffer.byteLength(text)}`,
  ];
  return `${head.join('\r\n')}\r\nconnection: close\r\n\r\n${text}`;
}
