import express, { type RequestHandler } from 'express';
import { ApiError } from '../api-errors';

/** Options for {@link jsonBody}. */
export interface JsonBodyOptions {
  readonly limitBytes: number;
}

const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)/i;

/**
 * `express.json` for `Content-Type: application/json` bodies up to
 * limitBytes, UTF-8 only: body-parser would also decode UTF-16 and UTF-32,
 * but the API promises UTF-8 (RFC 8259), and a second encoding is a second
 * way past anything that inspects bodies.
 */
export function jsonBody(options: JsonBodyOptions): RequestHandler {
  if (!(Number.isInteger(options.limitBytes) && options.limitBytes > 0)) throw new RangeError('jsonBody: limitBytes must be an integer > 0');
  const parse = express.json({ limit: options.limitBytes, strict: true, type: 'application/json' });
  return (req, res, next) => {
    const charset = CHARSET.exec(req.headers['content-type'] ?? '')?.[1]?.toLowerCase();
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8' && typeof req.is('application/json') === 'string') {
      next(new ApiError('UNSUPPORTED_MEDIA_TYPE', 'The request body must be UTF-8 JSON', { where: 'headers.content-type', charset: charset.slice(0, 40) }));
      return;
    }
    parse(req, res, next);
  };
}
