import { createHash, timingSafeEqual } from 'node:crypto';

/** `Authorization: Bearer <token>`: one token of visible ASCII, scheme case-insensitive. */
const BEARER = /^Bearer +([\x21-\x7e]+) *$/i;

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** The token of a Bearer Authorization header; undefined when the header is absent or of another form. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  return BEARER.exec(header)?.[1];
}

/**
 * A check of presented keys against `key`. Both are hashed before the
 * constant-time comparison, so the time taken says nothing about the key's
 * bytes or its length. Neither key is kept in the clear by the returned function.
 */
export function keyMatcher(key: string): (presented: string) => boolean {
  const expected = digest(key);
  return (presented) => timingSafeEqual(digest(presented), expected);
}

/** The options every key-checking middleware takes, checked once when it is built; `factory` names it in the error. */
export function checkKeyOptions(factory: string, options: { readonly key: string; readonly realm: string }): void {
  if (typeof options.key !== 'string' || options.key.length === 0) throw new RangeError(`${factory}: key must be a non-empty string`);
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(options.realm)) throw new RangeError(`${factory}: realm must be 1-64 characters of letters, digits, _ . -`);
}
