/**
 * JSON text that is the same for the same value, readable in a diff: nested
 * structures are indented, while short scalar-only objects, scalar-only
 * objects inside arrays (a reference row, a feature) and arrays of numbers or
 * short strings sit on one line.
 * Numbers print as JavaScript's shortest round-trip form, which is
 * deterministic; non-finite numbers are refused instead of becoming null.
 */
export function formatJson(value: unknown): string {
  return `${format(value, '', false)}\n`;
}

const SHORT_LINE = 120;
const SHORT_STRING = 80;

function format(value: unknown, indent: string, inArray: boolean): string {
  if (value === null || typeof value !== 'object') return scalar(value);
  const entries: Array<[string | undefined, unknown]> = Array.isArray(value)
    ? value.map((item) => [undefined, item])
    : Object.entries(value).filter(([, item]) => item !== undefined);
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  if (entries.length === 0) return open + close;
  const key = (name: string | undefined) => (name === undefined ? '' : `${JSON.stringify(name)}: `);
  if (entries.every(([, item]) => item === null || typeof item !== 'object')) {
    const line = open + entries.map(([name, item]) => key(name) + scalar(item)).join(', ') + close;
    const inline = Array.isArray(value)
      ? entries.every(([, item]) => typeof item !== 'string' || item.length <= SHORT_STRING)
      : inArray || line.length <= SHORT_LINE;
    if (inline) return line;
  }
  const inner = `${indent}  `;
  const isArray = Array.isArray(value);
  return `${open}\n${entries.map(([name, item]) => inner + key(name) + format(item, inner, isArray)).join(',\n')}\n${indent}${close}`;
}

function scalar(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`cannot write ${value} as JSON`);
  if (typeof value === 'number' && Object.is(value, -0)) return '0';
  const text = JSON.stringify(value);
  if (text === undefined) throw new Error(`cannot write a ${typeof value} as JSON`);
  return text;
}
