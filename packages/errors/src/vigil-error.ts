/**
 * Base class for every error Vigil raises on purpose.
 *
 * Each package declares its own catalogue of codes (a string-literal union) and
 * subclasses or instantiates this with them, so the HTTP boundary can turn any
 * VigilError into `{ error: { code, message, details } }` without knowing the
 * package it came from.
 */
export class VigilError<Code extends string = string> extends Error {
  readonly code: Code;
  /** HTTP status the API answers with when this error reaches the boundary. */
  readonly status: number;
  /** Machine-readable context: which field, what was expected, what was seen. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: Code, message: string, status: number, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'VigilError';
    this.code = code;
    this.status = status;
    this.details = Object.freeze({ ...details });
  }
}

/**
 * Narrowing helper. Only our own class counts: other libraries' errors also
 * carry string codes and numeric statuses (zlib's, body-parser's), and
 * treating those as ours would echo their internals to clients.
 */
export function isVigilError(value: unknown): value is VigilError {
  return value instanceof VigilError;
}
