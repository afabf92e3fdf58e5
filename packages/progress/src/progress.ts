/** Where progress goes: a terminal gets a redrawn bar, anything else (a log, a pipe) plain lines. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

export interface Progress {
  /** `done` of the total so far; `note` says what (rows read, labels enqueued). */
  update(done: number, note: string): void;
  /** A line of its own (a skipped row) without tearing the bar. */
  log(line: string): void;
  /** The last state, and the bar's line ended. */
  finish(note: string): void;
}

const WIDTH = 30;
/** A redraw at most this often: drawing every row would cost more than reading it. */
const REDRAW_MS = 100;
/** Without a terminal, a line per tenth of the way: enough to follow a log, few enough to read it. */
const STEP_PERCENT = 10;

function percentOf(done: number, total: number): number {
  return total <= 0 ? 100 : Math.min(100, Math.floor((done / total) * 100));
}

function bar(percent: number): string {
  const filled = Math.round((percent / 100) * WIDTH);
  return `[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${String(percent).padStart(3)}%`;
}

/**
 * Progress of a job of known size (`total`, e.g. the file's bytes), named
 * `label` at the start of each line. Lines logged through it go to `log`
 * (stdout); the bar or the progress lines go to `stream` (stderr), so a
 * script reading stdout sees only the report.
 */
export function createProgress(stream: ProgressStream, total: number, log: (line: string) => void, label: string): Progress {
  const tty = stream.isTTY === true;
  let lastDraw = 0;
  let lastStep = -1;
  let current = '';
  let shown = false;

  const draw = (text: string) => {
    current = text;
    shown = true;
    stream.write(`\r\x1b[K${text}`);
  };

  return {
    update(done, note) {
      const percent = percentOf(done, total);
      if (tty) {
        const now = Date.now();
        if (now - lastDraw < REDRAW_MS) return;
        lastDraw = now;
        draw(`${label} ${bar(percent)} ${note}`);
        return;
      }
      const step = Math.floor(percent / STEP_PERCENT);
      if (step <= lastStep) return;
      lastStep = step;
      stream.write(`${label}: ${percent}% ${note}\n`);
    },
    log(line) {
      if (tty && shown) stream.write('\r\x1b[K');
      log(line);
      if (tty && shown) stream.write(current);
    },
    finish(note) {
      if (tty) {
        draw(`${label} ${bar(100)} ${note}`);
        stream.write('\n');
      } else stream.write(`${label}: 100% ${note}\n`);
    },
  };
}
