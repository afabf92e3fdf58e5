/** Text and numbers as the report writes them: every string escaped, every undefined figure a dash. */

/** Escapes the five characters that could end a text node or an attribute value. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A ratio to four decimals, or a dash when the metric is undefined for the data (null). */
export const formatRatio = (value: number | null): string => (value === null ? '—' : value.toFixed(4));

/** A signed difference, so a gap reads as "+0.0123" or "−0.0456". */
export const formatSigned = (value: number | null): string => (value === null ? '—' : `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(4)}`);

/** A share as a percentage to one decimal. */
export const formatPercent = (value: number | null): string => (value === null ? '—' : `${(value * 100).toFixed(1)}%`);

/** Counts may be expected (fractional) counts from CBPE: those get one decimal. */
export const formatCount = (value: number): string =>
  Number.isInteger(value) ? value.toLocaleString('en') : value.toLocaleString('en', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** A delay in the unit that reads best: 45 s, 12.5 min, 3.2 h, 4.1 d. */
export function formatSeconds(value: number | null): string {
  if (value === null) return '—';
  if (value < 120) return `${value.toFixed(value < 10 ? 1 : 0)} s`;
  if (value < 7200) return `${(value / 60).toFixed(1)} min`;
  if (value < 172_800) return `${(value / 3600).toFixed(1)} h`;
  return `${(value / 86_400).toFixed(1)} d`;
}

/** The exact value in a data attribute, for scripts and tests that read the report: '' for null. */
export const dataValue = (value: number | null): string => (value === null ? '' : String(value));
