import { InvalidArgumentError } from 'commander';
import { parseModelVersion, parseThreshold, parseWindow, type TimeWindow } from '@vigil/monitoring';
import { normaliseIsoDateTime } from '@vigil/records';

/**
 * Parsers for option values, run by commander as it reads the line: a value
 * they refuse stops the command with commander's "option '--x <v>' argument
 * 'y' is invalid." and the reason, exit 2. Window, model version and
 * threshold go through the API's own parsers, so the CLI and the query
 * parameters accept and refuse the same values with the same words.
 */
function refusing<T>(parse: (raw: string) => T): (raw: string) => T {
  return (raw) => {
    try {
      return parse(raw);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  };
}

/** 15m, 24h, 7d: at most 30d, as GET /monitoring/* take it. */
export const timeWindow: (raw: string) => TimeWindow = refusing((raw) => parseWindow(raw));

export const modelVersion: (raw: string) => string = refusing((raw) => parseModelVersion(raw, 'model version') as string);

/** A probability threshold strictly between 0 and 1. */
export const threshold: (raw: string) => number = refusing((raw) => parseThreshold(raw) as number);

/** A whole number in [min, max]. */
export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER): (raw: string) => number {
  return (raw) => {
    const value = /^\d{1,15}$/.test(raw) ? Number(raw) : Number.NaN;
    if (!(value >= min && value <= max)) {
      throw new InvalidArgumentError(max === Number.MAX_SAFE_INTEGER ? `expected a whole number >= ${min}` : `expected a whole number from ${min} to ${max}`);
    }
    return value;
  };
}

/** An ISO 8601 date-time with a zone, normalised to UTC. */
export function isoDateTime(raw: string): string {
  const value = normaliseIsoDateTime(raw);
  if (value === undefined) throw new InvalidArgumentError('expected an ISO 8601 date-time with a zone, e.g. 2026-03-01T12:00:00Z');
  return value;
}

/** `a,b, c` → [a, b, c]; an empty entry is refused. */
export function commaList(raw: string): string[] {
  const items = raw.split(',').map((item) => item.trim());
  if (items.some((item) => item === '')) throw new InvalidArgumentError('expected comma-separated names without empty entries');
  return items;
}

/** `column=value` → [column, value]. */
export function columnPair(raw: string): [string, string] {
  const at = raw.indexOf('=');
  const key = raw.slice(0, at).trim();
  const value = raw.slice(at + 1).trim();
  if (at <= 0 || key === '' || value === '') throw new InvalidArgumentError('expected column=value');
  return [key, value];
}

/** A repeatable option: each occurrence parsed and added to the list of the ones before. */
export function repeatable<T>(parse: (raw: string) => T): (raw: string, previous: T[] | undefined) => T[] {
  return (raw, previous) => [...(previous ?? []), parse(raw)];
}
