import { MonitoringError } from './errors';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** Longest window a query may ask for; older data lives in rollups, not row scans. */
export const MAX_WINDOW_MS = 30 * UNIT_MS.d;

/** A parsed `window` query parameter such as 15m, 1h, 24h or 7d. */
export interface TimeWindow {
  readonly label: string;
  readonly ms: number;
}

export function parseWindow(raw: unknown, fallback = '1h'): TimeWindow {
  const text = raw === undefined ? fallback : raw;
  const match = typeof text === 'string' ? /^([1-9]\d{0,5})([mhd])$/.exec(text) : null;
  if (match === null) {
    throw new MonitoringError('INVALID_QUERY_PARAMETER', 'window must be a whole number followed by m, h or d (e.g. 15m, 1h, 24h, 7d)', {
      parameter: 'window',
      received: typeof text === 'string' ? text.slice(0, 64) : typeof text,
    });
  }
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  if (ms > MAX_WINDOW_MS) {
    throw new MonitoringError('INVALID_QUERY_PARAMETER', 'window must be at most 30d', { parameter: 'window', received: text });
  }
  return { label: text as string, ms };
}

export function parseLimit(raw: unknown, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !/^\d{1,7}$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
    throw new MonitoringError('INVALID_QUERY_PARAMETER', `limit must be an integer from 1 to ${max}`, {
      parameter: 'limit',
      received: typeof raw === 'string' ? raw.slice(0, 64) : typeof raw,
    });
  }
  return Number(raw);
}

/** An optional model_version filter: the version string as the API reports it. */
export function parseModelVersion(raw: unknown, parameter = 'model_version'): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 200) {
    throw new MonitoringError('INVALID_QUERY_PARAMETER', `${parameter} must be a non-empty string of at most 200 characters`, {
      parameter,
    });
  }
  return raw;
}
