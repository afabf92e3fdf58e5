/**
 * Base class for every error Vigil raises on purpose.
 *
 * Each package declares its own catalogue of codes (a string-literal union)
 * and subclasses this with them. Domain errors carry no HTTP meaning: the
 * API owns the one table from code to status (apps/api/src/error-status.ts),
 * so a config or drift-statistics error raised by the server's own settings
 * can never pass for a client mistake.
 */
export class VigilError<Code extends string = string> extends Error {
  readonly code: Code;
  /** Machine-readable context: which field, what was expected, what was seen. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: Code, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'VigilError';
    this.code = code;
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
