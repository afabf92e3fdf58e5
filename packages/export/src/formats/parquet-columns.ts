import type { ParquetWriter } from 'hyparquet-writer';
import type { FeatureCell } from '../layout';

/** A Parquet schema element, as hyparquet-writer takes it. */
export type SchemaElement = ConstructorParameters<typeof ParquetWriter>[0]['schema'][number];

/** The Parquet types export columns are written in. */
export type ParquetKind = 'string' | 'timestamp' | 'int32' | 'int64' | 'double' | 'boolean';

/** One column's schema element: UTF-8 strings, UTC timestamps in milliseconds, and plain numbers and booleans. */
export function schemaElement(name: string, kind: ParquetKind, nullable: boolean): SchemaElement {
  const repetition_type = nullable ? 'OPTIONAL' : 'REQUIRED';
  switch (kind) {
    case 'string':
      return { name, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' }, repetition_type };
    case 'timestamp':
      // Milliseconds since the epoch, UTC: what the records' ISO timestamps hold, exactly.
      return {
        name,
        type: 'INT64',
        converted_type: 'TIMESTAMP_MILLIS',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
        repetition_type,
      };
    case 'int32':
      return { name, type: 'INT32', repetition_type };
    case 'int64':
      return { name, type: 'INT64', repetition_type };
    case 'double':
      return { name, type: 'DOUBLE', repetition_type };
    case 'boolean':
      return { name, type: 'BOOLEAN', repetition_type };
  }
}

/**
 * A feature column's type, from the values of the first row group (a
 * Parquet file has one type per column, fixed before its first row is
 * written): all numbers → double, all booleans → boolean, anything else
 * (strings, a mix, or no value at all) → string, which takes every value.
 */
export function featureKind(values: readonly FeatureCell[]): ParquetKind {
  let kind: ParquetKind | undefined;
  for (const value of values) {
    if (value === null) continue;
    const own: ParquetKind = typeof value === 'number' ? 'double' : typeof value === 'boolean' ? 'boolean' : 'string';
    if (kind === undefined) kind = own;
    else if (kind !== own) return 'string';
  }
  return kind ?? 'string';
}

/** Thrown when a later row group holds a feature value its column's type cannot take. */
export class FeatureTypeError extends Error {
  constructor(
    readonly column: string,
    readonly kind: ParquetKind,
    readonly value: FeatureCell,
    readonly predictionId: string,
  ) {
    super(
      `export: feature column "${column}" is ${kind} in this Parquet file (from its first rows), but prediction ${predictionId} ` +
        `has ${JSON.stringify(value)?.slice(0, 80)}; export a shorter window or one model version, or use csv or jsonl`,
    );
    this.name = 'FeatureTypeError';
  }
}

/** A feature value as its column's type stores it: strings take any value as text; numbers and booleans only their own. */
export function featureValue(kind: ParquetKind, value: FeatureCell): number | boolean | string | null | undefined {
  if (value === null) return null;
  if (kind === 'string') return typeof value === 'string' ? value : String(value);
  if (kind === 'double') return typeof value === 'number' ? value : undefined;
  return typeof value === 'boolean' ? value : undefined;
}
