import { basename } from 'node:path';
import type { FeatureRecord, FeatureSpec, FeatureValue } from '../model-spec';
import { ModelInitError } from './init-error';
import { medianOf, widenRange, type SeenValues } from './numeric-range';
import type { SampleTable } from './sample-csv';

/** More distinct values than this is not a category: one-hot over it would dwarf every other feature, and drift over it says little. */
export const MAX_CATEGORIES = 100;

/** What the sample showed of one feature column, for the printout. */
export type ColumnSummary =
  | { readonly kind: 'numeric'; readonly seen: SeenValues; readonly longTail: boolean }
  | { readonly kind: 'boolean'; readonly trueShare: number; readonly spelling: string }
  | { readonly kind: 'categorical'; readonly distinct: number; readonly order: 'sorted' | 'given' };

export interface InferredFeature {
  readonly spec: FeatureSpec;
  /** Its column in the sample. */
  readonly column: number;
  readonly summary: ColumnSummary;
  /** One cell of the column as the value a client sends (a number, true/false, the category). */
  read(cell: string): FeatureValue;
}

/** What the model's own inputs impose on a column (one input per feature): a string input takes a category, a bool input a boolean. */
export type TypeHint = 'categorical' | 'boolean';

export interface FeatureInferenceOptions {
  /** Columns that are not features: the label, --exclude. */
  readonly skip?: ReadonlySet<string>;
  /** --categories: a column's categories in the model's one-hot order (it may hold values the sample lacks). */
  readonly categories?: ReadonlyMap<string, readonly string[]>;
  readonly hints?: ReadonlyMap<string, TypeHint>;
}

const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const BOOLEAN_SPELLINGS = [
  { spelling: 'true/false', yes: 'true', no: 'false' },
  { spelling: 'yes/no', yes: 'yes', no: 'no' },
] as const;

const isNumber = (cell: string) => NUMBER.test(cell) && Number.isFinite(Number(cell));
const isInteger = (cell: string) => INTEGER.test(cell) && Number.isSafeInteger(Number(cell));
const shown = (value: string) => JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);

/**
 * The features of the sample's columns (minus `skip`), in column order, each
 * typed by what all its values look like:
 *
 * - every value true/false, or every value yes/no (any case) → boolean;
 * - every value an integer → integer; every value a number → number (range: {@link widenRange});
 * - anything else → categorical over the distinct values, sorted (the order
 *   scikit-learn's OneHotEncoder and pandas.get_dummies give the one-hot
 *   columns), refused past {@link MAX_CATEGORIES}.
 *
 * `categories` forces a column categorical in the given order; a `hints`
 * entry from the model's input types makes a string input's column
 * categorical (digits included) and a bool input's 0/1 column boolean. An
 * empty cell is refused: every request must carry every feature.
 */
export function inferFeatures(table: SampleTable, options: FeatureInferenceOptions = {}): InferredFeature[] {
  const features: InferredFeature[] = [];
  table.columns.forEach((name, column) => {
    if (options.skip?.has(name)) return;
    const cells = table.rows.map((row) => row[column]!);
    const empty = cells.indexOf('');
    if (empty >= 0) {
      const count = cells.filter((cell) => cell === '').length;
      throw new ModelInitError(
        `column "${name}" is empty on line ${table.lines[empty]}${count > 1 ? ` and ${count - 1} more line(s)` : ''} of ${table.source}: ` +
          `every request must carry every feature, so fill the gaps or leave the column out with --exclude ${name}`,
      );
    }
    features.push(inferColumn(name, column, cells, table, options));
  });
  if (features.length === 0) throw new ModelInitError(`${table.source} has no feature column left once the label and --exclude are taken out`);
  return features;
}

function inferColumn(name: string, column: number, cells: readonly string[], table: SampleTable, options: FeatureInferenceOptions): InferredFeature {
  const described = (what: string) => `Inferred by model init from ${basename(table.source)} (${cells.length} rows): ${what}.`;
  const given = options.categories?.get(name);
  if (given !== undefined) return givenCategorical(name, column, cells, given, table, described);
  const hint = options.hints?.get(name);
  if (hint === 'categorical') return categorical(name, column, cells, described);

  const lower = cells.map((cell) => cell.toLowerCase());
  const spellings = hint === 'boolean' ? [...BOOLEAN_SPELLINGS, { spelling: '0/1', yes: '1', no: '0' }] : BOOLEAN_SPELLINGS;
  for (const { spelling, yes, no } of spellings) {
    if (lower.every((cell) => cell === yes || cell === no)) {
      const trueShare = lower.filter((cell) => cell === yes).length / cells.length;
      return {
        spec: { name, type: 'boolean', description: described(`${spelling}, ${Math.round(trueShare * 100)}% ${yes}`) },
        column,
        summary: { kind: 'boolean', trueShare, spelling },
        read: (cell) => cell.toLowerCase() === yes,
      };
    }
  }
  if (hint === 'boolean') {
    const bad = lower.findIndex((cell) => !spellings.some((s) => cell === s.yes || cell === s.no));
    throw new ModelInitError(
      `column "${name}" feeds the model's bool input, but line ${table.lines[bad]} holds ${shown(cells[bad]!)}; ` +
        'a boolean column holds true/false, yes/no or 0/1',
    );
  }
  if (cells.every(isNumber)) {
    const integer = cells.every(isInteger);
    const values = Float64Array.from(cells, Number);
    const median = medianOf(values); // sorts values
    const seen = { min: values[0]!, median, max: values[values.length - 1]! };
    const { longTail, ...range } = widenRange(seen, integer);
    return {
      spec: { name, type: integer ? 'integer' : 'number', ...range, description: described(`seen ${seen.min} to ${seen.max}, median ${median}`) },
      column,
      summary: { kind: 'numeric', seen, longTail },
      read: Number,
    };
  }
  return categorical(name, column, cells, described);
}

function categorical(name: string, column: number, cells: readonly string[], described: (what: string) => string): InferredFeature {
  const categories = [...new Set(cells)].sort();
  if (categories.length > MAX_CATEGORIES) {
    throw new ModelInitError(
      `column "${name}" holds ${categories.length} distinct values (e.g. ${categories.slice(0, 3).map(shown).join(', ')}); ` +
        `a categorical feature takes at most ${MAX_CATEGORIES}. Give the model a numeric encoding of it (an id, a frequency or a target encoding), ` +
        `or leave it out with --exclude ${name}`,
    );
  }
  return {
    spec: { name, type: 'categorical', categories, description: described(`${categories.length} distinct values`) },
    column,
    summary: { kind: 'categorical', distinct: categories.length, order: 'sorted' },
    read: (cell) => cell,
  };
}

function givenCategorical(
  name: string,
  column: number,
  cells: readonly string[],
  categories: readonly string[],
  table: SampleTable,
  described: (what: string) => string,
): InferredFeature {
  const known = new Set(categories);
  if (known.size !== categories.length || categories.some((category) => category === '')) {
    throw new ModelInitError(`--categories ${name}: the categories must be distinct and non-empty`);
  }
  const unknown = cells.findIndex((cell) => !known.has(cell));
  if (unknown >= 0) {
    throw new ModelInitError(
      `column "${name}" holds ${shown(cells[unknown]!)} on line ${table.lines[unknown]} of ${table.source}, which --categories ${name} does not list`,
    );
  }
  const distinct = new Set(cells).size;
  return {
    spec: { name, type: 'categorical', categories: [...categories], description: described(`${distinct} of the ${categories.length} categories given`) },
    column,
    summary: { kind: 'categorical', distinct, order: 'given' },
    read: (cell) => cell,
  };
}

/** The sample's rows as the records clients would send, in the features' terms. */
export function sampleRecords(table: SampleTable, features: readonly InferredFeature[]): FeatureRecord[] {
  return table.rows.map((row) => Object.fromEntries(features.map((feature) => [feature.spec.name, feature.read(row[feature.column]!)])));
}
