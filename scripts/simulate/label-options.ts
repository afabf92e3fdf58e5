/** The delayed-label options of `npm run simulate`: which rule draws the labels, how long after its answer each is sent, and for how many. */
export type LabelRuleName = 'calibrated' | 'shifted' | 'off';

export interface LabelOptions {
  readonly rule: LabelRuleName;
  /** From a prediction's answer to its label's POST /feedback. @defaultValue 30 s */
  readonly delayMs: number;
  /** Share of the answered predictions that get a label. @defaultValue 1 */
  readonly fraction: number;
}

export interface RawLabelOptions {
  readonly labels?: string | undefined;
  readonly 'label-delay'?: string | undefined;
  readonly 'label-fraction'?: string | undefined;
}

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
/** A label sent more than a day after its prediction outlives any simulate run worth waiting for. */
const MAX_DELAY_MS = 86_400_000;

/** `500ms`, `30s`, `2m`, `1h`: a delay from 0 to 24 h. */
export function parseDelay(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text);
  const ms = match === null ? Number.NaN : Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  if (!(ms >= 0 && ms <= MAX_DELAY_MS)) throw new Error(`--label-delay takes a duration from 0s to 24h, such as 500ms, 30s, 2m or 1h (got "${text}")`);
  return ms;
}

/** Checks the label options; off (the default) keeps simulate's behaviour of sending predictions only. */
export function parseLabelOptions(raw: RawLabelOptions): LabelOptions {
  const rule = raw.labels ?? 'off';
  if (rule !== 'calibrated' && rule !== 'shifted' && rule !== 'off') throw new Error(`--labels takes calibrated, shifted or off (got "${rule}")`);
  if (rule === 'off' && (raw['label-delay'] !== undefined || raw['label-fraction'] !== undefined)) {
    throw new Error('--label-delay and --label-fraction need --labels calibrated or --labels shifted');
  }
  const delayMs = parseDelay(raw['label-delay'] ?? '30s');
  const fractionText = raw['label-fraction'] ?? '1';
  const fraction = /^(0(\.\d+)?|1(\.0+)?|\.\d+)$/.test(fractionText) ? Number(fractionText) : Number.NaN;
  if (!(fraction > 0 && fraction <= 1)) throw new Error(`--label-fraction takes a share above 0 and at most 1, such as 0.8 (got "${fractionText}")`);
  return { rule, delayMs, fraction };
}
