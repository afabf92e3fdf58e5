import { pino, stdTimeFunctions, type Logger as PinoLogger } from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * One JSON object per line on stderr (`time`, `level`, `component`, `message`, then
 * the fields): easy to grep, easy to ship. Backed by pino, whose serialisation is
 * what keeps a log call cheap on the request path.
 */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** The logger a process makes at start: child loggers per component, and pino itself for the HTTP access lines. */
export interface ProcessLogger extends Logger {
  /** A logger for one part of the process: every line also carries `fields` (e.g. `{ component: 'shipper' }`). */
  child(fields: Record<string, unknown>): ProcessLogger;
  /** The pino logger underneath, for the API's access lines (same destination, level and fields). */
  readonly pino: PinoLogger;
}

/**
 * `root` has no component of its own, so a child's `component` (worker → worker/audit)
 * replaces its parent's instead of repeating the key in every line.
 */
function wrap(root: PinoLogger, component: string, base: PinoLogger): ProcessLogger {
  return {
    debug: (message, fields) => base.debug(fields ?? {}, message),
    info: (message, fields) => base.info(fields ?? {}, message),
    warn: (message, fields) => base.warn(fields ?? {}, message),
    error: (message, fields) => base.error(fields ?? {}, message),
    child: ({ component: part, ...fields }) => {
      const name = typeof part === 'string' ? `${component}/${part}` : component;
      return wrap(root, name, root.child({ ...base.bindings(), ...fields, component: name }));
    },
    pino: base,
  };
}

/**
 * `write` receives each line (with its newline); by default process.stderr does.
 */
export function createLogger(component: string, level: LogLevel = 'info', write?: (line: string) => void): ProcessLogger {
  // Through process.stderr (synchronous for files and pipes on Linux), so whatever wraps it (a test, a supervisor shim) sees every line.
  const destination = { write: write ?? ((line: string) => void process.stderr.write(line)) };
  const root = pino(
    {
      level,
      // The field names Vigil's lines had before pino: keep dashboards and greps working.
      messageKey: 'message',
      errorKey: 'error',
      timestamp: stdTimeFunctions.isoTime,
      base: null,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
  return wrap(root, component, root.child({ component }));
}
