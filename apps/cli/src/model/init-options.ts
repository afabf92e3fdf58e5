import { parseArgs } from 'node:util';
import type { InitModelOptions } from '@vigil/model';

/** The flags of `model init`, or the usage problem to print (exit 2); `help` for --help. */
export type ParsedInit = { readonly options: InitModelOptions } | { readonly problem: string } | { readonly help: true };

/** `a,b, c` → [a, b, c], no empty entries. */
function list(raw: string, flag: string): string[] {
  const items = raw.split(',').map((item) => item.trim());
  if (items.some((item) => item === '')) throw new Error(`${flag} ${raw}: expected comma-separated names without empty entries`);
  return items;
}

/** Repeated `--flag key=value` pairs into a map; a key given twice is refused. */
function pairs<T>(raws: readonly string[], flag: string, value: (raw: string) => T): Map<string, T> {
  const map = new Map<string, T>();
  for (const raw of raws) {
    const at = raw.indexOf('=');
    const key = raw.slice(0, at).trim();
    if (at <= 0 || key === '' || raw.slice(at + 1).trim() === '') throw new Error(`${flag} ${raw}: expected column=value`);
    if (map.has(key)) throw new Error(`${flag}: column ${key} is given twice`);
    map.set(key, value(raw.slice(at + 1).trim()));
  }
  return map;
}

export function parseInitOptions(args: readonly string[]): ParsedInit {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        sample: { type: 'string' },
        threshold: { type: 'string' },
        version: { type: 'string' },
        label: { type: 'string' },
        exclude: { type: 'string', multiple: true },
        input: { type: 'string', multiple: true },
        categories: { type: 'string', multiple: true },
        output: { type: 'string' },
        force: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) return { help: true };
    if (positionals.length !== 1) return { problem: positionals.length === 0 ? 'the model file is missing' : `one model file, got ${positionals.join(' ')}` };
    if (values.sample === undefined) return { problem: '--sample <csv> is required: the spec is inferred from it' };
    const threshold = values.threshold === undefined ? undefined : Number(values.threshold);
    if (threshold !== undefined && !(/^(0?\.\d+)$/.test(values.threshold!) && threshold > 0 && threshold < 1)) {
      return { problem: `--threshold ${values.threshold}: expected a decimal number strictly between 0 and 1 (e.g. 0.5)` };
    }
    if (values.version !== undefined && values.version.trim() === '') return { problem: '--version: expected a name such as fraud-model@1.0.0' };
    return {
      options: {
        modelPath: positionals[0]!,
        samplePath: values.sample,
        threshold,
        version: values.version?.trim(),
        label: values.label,
        exclude: (values.exclude ?? []).flatMap((raw) => list(raw, '--exclude')),
        inputs: pairs(values.input ?? [], '--input', (raw) => raw),
        categories: pairs(values.categories ?? [], '--categories', (raw) => list(raw, '--categories')),
        output: values.output,
        force: values.force === true,
      },
    };
  } catch (error) {
    return { problem: (error as Error).message };
  }
}
