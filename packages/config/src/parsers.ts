/**
 * Parsers for environment values. Each returns the parsed value or throws a
 * plain Error whose message says what was expected; the loader adds the name.
 */
export type Parser<T> = (raw: string) => T;

export function integerIn(min: number, max: number): Parser<number> {
  return (raw) => {
    if (!/^-?\d+$/.test(raw.trim())) throw new Error(`expected an integer from ${min} to ${max}`);
    const value = Number(raw);
    if (value < min || value > max) throw new Error(`expected an integer from ${min} to ${max}`);
    return value;
  };
}

export function onOff(raw: string): boolean {
  const value = raw.trim().toLowerCase();
  if (['on', 'true', '1', 'yes'].includes(value)) return true;
  if (['off', 'false', '0', 'no'].includes(value)) return false;
  throw new Error('expected on or off');
}

export function urlWithProtocols(protocols: readonly string[]): Parser<string> {
  return (raw) => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new Error(`expected a URL starting with ${protocols.join(' or ')}`);
    }
    if (!protocols.includes(url.protocol)) throw new Error(`expected a URL starting with ${protocols.join(' or ')}`);
    return raw;
  };
}

export function nonEmpty(raw: string): string {
  if (raw.trim() === '') throw new Error('expected a non-empty value');
  return raw;
}

export function identifier(raw: string): string {
  // Used in SQL as a schema name, so only plain identifiers are accepted.
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(raw)) throw new Error('expected a lower-case SQL identifier ([a-z_][a-z0-9_]*)');
  return raw;
}

export function oneOf<T extends string>(values: readonly T[]): Parser<T> {
  return (raw) => {
    const value = raw.trim().toLowerCase();
    const match = values.find((candidate) => candidate === value);
    if (match === undefined) throw new Error(`expected one of ${values.join(', ')}`);
    return match;
  };
}

export function queueName(raw: string): string {
  // BullMQ uses ':' as its key separator, so a name containing it would corrupt keys.
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(raw)) throw new Error('expected 1-100 characters of letters, digits, _ . -');
  return raw;
}
