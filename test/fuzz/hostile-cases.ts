import { METHODS } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { FeatureRecord, FeatureSpec, ModelSpec } from '@vigil/model';
import type { Prng } from '../support/prng';

/**
 * What the answer to a case must be:
 * - `bad`: a 4xx from the app with `{"error": {code, message, details}}` (no body for HEAD);
 * - `ok`: a 2xx (a request that is in fact valid, e.g. GET /healthz?x=1);
 * - `node`: refused by Node's HTTP parser before the app sees it (a bare 400 or 431).
 */
export type Expectation = 'bad' | 'ok' | 'node';

export interface FuzzCase {
  readonly id: number;
  /** Generator family, for the per-kind histogram. */
  readonly kind: string;
  /** What was done to the request, to read a failure without replaying it. */
  readonly what: string;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: Buffer;
  readonly expect: Expectation;
  /** The exact status, when the case determines it. */
  readonly status?: number;
}

export interface FuzzContext {
  readonly spec: ModelSpec;
  /** Valid instances to mutate (rows of the reference sample). */
  readonly valid: readonly FeatureRecord[];
  readonly monitoringKey: string;
  readonly predictKey: string;
  readonly maxInstances: number;
  readonly bodyLimitBytes: number;
}

const SQL = [
  "'; DROP TABLE predictions; --",
  "grocery'); DROP TABLE predictions;--",
  "1' OR '1'='1",
  '"; DELETE FROM predictions WHERE 1=1; --',
  "' UNION SELECT prediction_id, features FROM predictions --",
  '1; SELECT pg_sleep(10)',
  "grocery; ATTACH DATABASE '/tmp/x.db' AS x; --",
  '$1',
  '?',
];
const UNICODE = [
  '😀🦄💳',
  '漢字カタカナ',
  '\u202Egrocery',
  'gro\u200Bcery',
  'e\u0301',
  '\uFEFFgrocery',
  'grocery\u0000',
  '\uD800',
  '\uDFFF',
  'a\uD83D',
  '\uFFFD\uFFFD',
  '\uFFFF',
  'ｇｒｏｃｅｒｙ',
  'grоcery' /* Cyrillic о */,
  'ﬁ',
  'ı',
  'Ω≈ç√∫',
  '\t\n\r',
  '\u0085',
  '\u2028\u2029',
];
const ODD_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '',
  ' ',
  'amount ',
  'AMOUNT',
  "amount'; --",
  '😀',
  '\u0000',
  'features',
  'instances',
];
const RAW_BAD_NUMBERS = [
  { raw: '1e400', status: 422 },
  { raw: '-1e400', status: 422 },
  { raw: 'NaN', status: 400 },
  { raw: 'Infinity', status: 400 },
  { raw: '-Infinity', status: 400 },
  { raw: '01', status: 400 },
  { raw: '1.', status: 400 },
  { raw: '.5', status: 400 },
  { raw: '+1', status: 400 },
  { raw: '0x10', status: 400 },
  { raw: '1e', status: 400 },
  { raw: '--1', status: 400 },
  { raw: 'undefined', status: 400 },
];
const BAD_UTF8 = [[0xff], [0xfe, 0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82], [0x80], [0xf4, 0x90, 0x80, 0x80]];
const WRONG_CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json-patch+json',
  'application/jsonx',
  'json',
  'text/json',
  '*/*',
  'application/',
  ';;;',
  'application/json, text/plain',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/json; charset=koi8-r',
  'application/xml',
];
const GET_ENDPOINTS = ['/model', '/monitoring/latency', '/monitoring/predictions', '/monitoring/distribution', '/healthz', '/readyz', '/metrics'];
const MONITORING = ['/monitoring/latency', '/monitoring/predictions', '/monitoring/distribution'];
/** Methods Node's parser accepts, minus CONNECT (it is not a request for a path) and the ones some endpoint takes. */
const WRONG_METHODS = METHODS.filter((method) => method !== 'CONNECT');
const BAD_WINDOWS = [
  '-1h',
  '0h',
  '0s',
  '1e9h',
  '31d',
  '999999d',
  '1H',
  '1hh',
  'h',
  '1',
  '1.5h',
  ' 1h',
  '1h ',
  '%001h',
  '１h',
  '1ｈ',
  '',
  'abc',
  '1m1s',
  '24h;',
  '%FF',
  '%',
  '%zz',
  '1h%00',
  "1h' OR '1'='1",
  'x'.repeat(5000),
  '9'.repeat(400) + 'h',
];
const BAD_LIMITS = [
  '-1',
  '0',
  '1e9',
  '1000000000',
  '1001',
  '1.5',
  'ten',
  '',
  '0x10',
  '١٠',
  '１０',
  ' 5',
  '5 ',
  '%',
  '%FF',
  '99999999999999999999',
  "5' OR 1=1",
  'NaN',
  'Infinity',
];
const BAD_AUTH = [
  '',
  'Bearer',
  'Bearer ',
  'Basic dXNlcjpwYXNz',
  'Token abc',
  'Bearer wrong-key-0123456789abcdef',
  'Bearer \u00ff\u00fe',
  'bearer:x',
  'Bearer a b',
];

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

/** Percent-encodes the UTF-8 bytes of any string; unlike encodeURIComponent it takes lone surrogates (as U+FFFD). */
function pct(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8'))
    out += /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

/** An object whose own keys include names like `__proto__`, which an object literal would not make own. */
function withKey(target: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  return target;
}

function deep(depth: number, leaf: unknown = 1): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

function unicodeString(prng: Prng): string {
  let text = '';
  const parts = prng.int(1, 4);
  for (let i = 0; i < parts; i++) text += prng.pick(UNICODE);
  return text;
}

/**
 * Builds hostile requests. Every `bad` case is bad by construction: each
 * mutation introduces a problem no other mutation can undo, so no case the
 * generator calls bad can ever be stored (the test checks that afterwards).
 */
export class HostileCases {
  private readonly auth: Record<'predict' | 'monitoring', Record<string, string>>;

  constructor(
    private readonly prng: Prng,
    private readonly ctx: FuzzContext,
  ) {
    this.auth = {
      predict: { authorization: `Bearer ${ctx.predictKey}` },
      monitoring: { authorization: `Bearer ${ctx.monitoringKey}` },
    };
  }

  next(id: number): FuzzCase {
    const roll = this.prng.next();
    if (roll < 0.3) return this.mutatedFeatures(id);
    if (roll < 0.4) return this.badEnvelope(id);
    if (roll < 0.53) return this.badBytes(id);
    if (roll < 0.6) return this.badHeaders(id);
    if (roll < 0.67) return this.wrongMethod(id);
    if (roll < 0.79) return this.badQuery(id);
    if (roll < 0.85) return this.unknownPath(id);
    if (roll < 0.9) return this.badAuth(id);
    if (roll < 0.905) return this.oversized(id);
    if (roll < 0.915) return this.nodeRefuses(id);
    return this.valid(id);
  }

  private validCopy(): Record<string, unknown> {
    return { ...this.prng.pick(this.ctx.valid) };
  }

  private predict(id: number, kind: string, what: string, body: Buffer, status?: number, headers: Record<string, string> = {}): FuzzCase {
    return {
      id,
      kind,
      what,
      method: 'POST',
      path: '/predict',
      headers: { 'content-type': 'application/json', ...this.auth.predict, ...headers },
      body,
      expect: 'bad',
      ...(status === undefined ? {} : { status }),
    };
  }

  /** A value of the wrong type, or out of range, for one feature; never valid for it. */
  private badValue(feature: FeatureSpec, current: unknown): { value: unknown; what: string } {
    const { prng } = this;
    const common = [
      null,
      [],
      {},
      [current],
      { value: current },
      deep(prng.pick([2, 50, 1000])),
      'x'.repeat(prng.pick([1, 1000, 100_000])),
      unicodeString(prng),
    ];
    switch (feature.type) {
      case 'number':
      case 'integer': {
        const outOfRange: unknown[] = [1e308, -1e308, Number.MAX_VALUE, -Number.MAX_VALUE, feature.min - 1, feature.max + 1, feature.max * 10 + 1];
        if (feature.type === 'integer') outOfRange.push(feature.min + 0.5, feature.max - 0.5);
        const value = prng.pick([...outOfRange, ...common, String(current), true, false, '', 'NaN', prng.pick(SQL)]);
        return { value, what: `${feature.name}=${JSON.stringify(value)?.slice(0, 40)}` };
      }
      case 'boolean': {
        const value = prng.pick([1, 0, 'true', 'false', '', 'yes', ...common]);
        return { value, what: `${feature.name}=${JSON.stringify(value)?.slice(0, 40)}` };
      }
      case 'categorical': {
        const category = prng.pick(feature.categories);
        const value = prng.pick([
          prng.pick(SQL),
          prng.pick(SQL),
          unicodeString(prng),
          category.toUpperCase(),
          `${category} `,
          ` ${category}`,
          `${category}\u0000`,
          `${category}${prng.pick(UNICODE)}`,
          42,
          true,
          '',
          '__proto__',
          'constructor',
          [category],
          ...common,
        ]);
        return { value, what: `${feature.name}=${JSON.stringify(value)?.slice(0, 40)}` };
      }
    }
  }

  /** Valid instances with one to three guaranteed-invalid changes, alone or inside a batch: 422, or 400 for a raw token that is not JSON. */
  private mutatedFeatures(id: number): FuzzCase {
    const { prng, ctx } = this;
    const record = this.validCopy();
    const changes: string[] = [];
    const raw: { marker: string; token: string; status: number }[] = [];
    for (let n = prng.int(1, 3); n > 0; n--) {
      const feature = prng.pick(ctx.spec.features);
      const kind = prng.int(0, 9);
      if (kind <= 1) {
        delete record[feature.name];
        changes.push(`-${feature.name}`);
      } else if (kind <= 6) {
        const { value, what } = this.badValue(feature, record[feature.name]);
        record[feature.name] = value;
        changes.push(what);
      } else if (kind <= 8) {
        const key = prng.chance(0.1) ? 'k'.repeat(100_000) : prng.chance(0.2) ? prng.pick(SQL) : prng.pick(ODD_KEYS);
        withKey(record, key, prng.pick([1, 'x', null, {}]));
        changes.push(`+key ${JSON.stringify(key.slice(0, 30))}`);
      } else if (feature.type === 'number' || feature.type === 'integer') {
        const bad = prng.pick(RAW_BAD_NUMBERS);
        const marker = `@@raw-${raw.length}-${id}@@`;
        raw.push({ marker, token: bad.raw, status: bad.status });
        record[feature.name] = marker;
        changes.push(`${feature.name}=${bad.raw}`);
      } else {
        delete record[feature.name];
        changes.push(`-${feature.name}`);
      }
    }
    let body: unknown = { features: record };
    let where = 'features';
    if (prng.chance(0.4)) {
      const instances: unknown[] = Array.from({ length: prng.int(1, Math.min(20, ctx.maxInstances - 1)) }, () => this.validCopy());
      const at = prng.int(0, instances.length);
      instances.splice(at, 0, record);
      body = { instances };
      where = `instances[${at}]`;
    }
    let text = JSON.stringify(body);
    let status = 422;
    for (const { marker, token, status: rawStatus } of raw) {
      // A later change may have replaced or deleted the token's feature; only tokens still in the text count.
      if (!text.includes(`"${marker}"`)) continue;
      text = text.replace(`"${marker}"`, token);
      if (rawStatus === 400) status = 400; // not JSON: refused before any feature is looked at
    }
    return this.predict(id, 'features', `${where}: ${changes.join(', ')}`, Buffer.from(text), status);
  }

  /** Bodies that are JSON but not the request shape. */
  private badEnvelope(id: number): FuzzCase {
    const { prng } = this;
    const valid = this.validCopy();
    const cases: [string, unknown, number][] = [
      ['top-level []', [], 400],
      ['top-level [valid]', [valid], 400],
      ['{}', {}, 400],
      ['features and instances', { features: valid, instances: [valid] }, 400],
      ['extra key', { features: valid, extra: 1 }, 400],
      ['Features', { Features: valid }, 400],
      ['" features"', { ' features': valid }, 400],
      ['instances []', { instances: [] }, 400],
      ['instances object', { instances: valid }, 400],
      ['instances string', { instances: 'x' }, 400],
      ['instances null', { instances: null }, 400],
      ['instances number', { instances: 1e308 }, 400],
      ['features array', { features: [valid] }, 422],
      ['features null', { features: null }, 422],
      ['features string', { features: prng.pick(SQL) }, 422],
      ['features number', { features: -1e308 }, 422],
      ['features {}', { features: {} }, 422],
      ['__proto__ envelope', withKey({}, '__proto__', { features: valid }), 400],
      ['__proto__ beside features', withKey({ features: valid }, '__proto__', {}), 400],
      ['constructor envelope', { constructor: valid }, 400],
      ['instances with non-objects', { instances: [valid, prng.pick([1, null, 'x', [], true]), valid] }, 422],
      ['instances with {}', { instances: [valid, {}] }, 422],
      ['instances nested', { instances: [[valid]] }, 422],
      ['deep features', { features: deep(1000, valid) }, 422],
    ];
    const [what, body, status] = prng.pick(cases);
    return this.predict(id, 'envelope', what, json(body), status);
  }

  /** Bytes that are not JSON at all, or not UTF-8. */
  private badBytes(id: number): FuzzCase {
    const { prng } = this;
    const valid = JSON.stringify({ features: this.validCopy() });
    const choice = prng.int(0, 11);
    switch (choice) {
      case 0: {
        const cut = prng.int(0, valid.length - 1);
        return this.predict(id, 'bytes', `truncated at ${cut}/${valid.length}`, Buffer.from(valid.slice(0, cut)));
      }
      case 1: {
        // Anywhere in the text, bad bytes break a token or change a key or a category: never valid.
        const bytes = Buffer.from(valid);
        const at = prng.int(0, bytes.length);
        const bad = Buffer.from(prng.pick(BAD_UTF8));
        return this.predict(id, 'bytes', `invalid UTF-8 ${bad.toString('hex')} at ${at}`, Buffer.concat([bytes.subarray(0, at), bad, bytes.subarray(at)]));
      }
      case 2: {
        const length = prng.int(1, 2000);
        const bytes = Buffer.alloc(length);
        for (let i = 0; i < length; i++) bytes[i] = prng.int(0, 255);
        if (bytes[0] === 0x7b || bytes[0] === 0x5b) bytes[0] = 0x78; // never even start like JSON
        return this.predict(id, 'bytes', `${length} random bytes`, bytes, 400);
      }
      case 3:
        return this.predict(id, 'bytes', 'trailing comma', Buffer.from(`${valid.slice(0, -1)},}`), 400);
      case 4:
        return this.predict(id, 'bytes', 'single quotes', Buffer.from(valid.replaceAll('"', "'")), 400);
      case 5:
        return this.predict(id, 'bytes', 'comment first', Buffer.from(`/* hi */${valid}`), 400);
      case 6:
        return this.predict(id, 'bytes', 'two documents', Buffer.from(valid + prng.pick([valid, 'x', '}', ']', '\u0000'])), 400);
      case 7: {
        const depth = prng.pick([1000, 10_000, 100_000]);
        const open = prng.pick(['[', '{"a":']);
        const closed = prng.chance(0.5);
        const text = open === '[' ? '['.repeat(depth) + (closed ? ']'.repeat(depth) : '') : open.repeat(depth) + (closed ? '1' + '}'.repeat(depth) : '');
        // a closed object nest is JSON with the wrong keys (400); a closed array nest is an array (400)
        return this.predict(id, 'bytes', `${closed ? 'closed' : 'open'} nesting ${open} x${depth}`, Buffer.from(text), 400);
      }
      case 8:
        return this.predict(id, 'bytes', 'top-level scalar', Buffer.from(prng.pick(['null', '1', '"features"', 'true', '-1e308', '""'])), 400);
      case 9: {
        const bad = JSON.stringify(this.badValue(prng.pick(this.ctx.spec.features), 1).value);
        // duplicate keys: JSON.parse keeps the last one, and the last one is bad
        return this.predict(
          id,
          'bytes',
          'duplicate "features", the last one bad',
          Buffer.from(`{"features":${JSON.stringify(this.validCopy())},"features":${bad}}`),
          422,
        );
      }
      case 10:
        return this.predict(
          id,
          'bytes',
          'BOM before a non-object',
          Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(prng.pick(['1', '"x"', 'null']))]),
        );
      default:
        return this.predict(id, 'bytes', 'empty body', Buffer.alloc(0), 400);
    }
  }

  /** A valid body under the wrong Content-Type or a Content-Encoding it does not have, or a bad body that is really gzipped. */
  private badHeaders(id: number): FuzzCase {
    const { prng } = this;
    const valid = json({ features: this.validCopy() });
    const choice = prng.int(0, 4);
    if (choice <= 1) {
      const type = prng.pick(WRONG_CONTENT_TYPES);
      return this.predict(id, 'headers', `content-type ${type}`, valid, 415, { 'content-type': type });
    }
    if (choice === 2) {
      const headers: Record<string, string> = { ...this.auth.predict };
      return { id, kind: 'headers', what: 'no content-type', method: 'POST', path: '/predict', headers, body: valid, expect: 'bad', status: 415 };
    }
    if (choice === 3) {
      const encoding = prng.pick(['gzip', 'deflate', 'br', 'compress', 'identity, gzip', 'x-unknown']);
      return this.predict(id, 'headers', `content-encoding ${encoding} on a plain body`, valid, undefined, { 'content-encoding': encoding });
    }
    const bad = Buffer.from(JSON.stringify({ features: this.validCopy() }).slice(0, -1));
    return this.predict(id, 'headers', 'gzipped truncated body', gzipSync(bad), 400, { 'content-encoding': 'gzip' });
  }

  /** A known path with a method it does not take. */
  private wrongMethod(id: number): FuzzCase {
    const { prng } = this;
    const path = prng.pick(['/predict', ...GET_ENDPOINTS]);
    const allowed = path === '/predict' ? ['POST'] : ['GET', 'HEAD'];
    const method = prng.pick(WRONG_METHODS.filter((m) => !allowed.includes(m)));
    const headers = path === '/predict' ? { ...this.auth.predict } : path.startsWith('/monitoring') ? { ...this.auth.monitoring } : {};
    const withBody = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method);
    return {
      id,
      kind: 'method',
      what: `${method} ${path}`,
      method,
      path,
      headers: withBody ? { ...headers, 'content-type': 'application/json' } : headers,
      ...(withBody ? { body: json({ features: this.validCopy() }) } : {}),
      expect: 'bad',
    };
  }

  /** Monitoring queries with a bad, repeated or unknown parameter, with the right key: 400 INVALID_QUERY_PARAMETER. */
  private badQuery(id: number): FuzzCase {
    const { prng } = this;
    const path = prng.pick(MONITORING);
    const parameter = path.endsWith('/predictions') ? 'limit' : 'window';
    const good = parameter === 'limit' ? '5' : '1h';
    const bad = parameter === 'limit' ? prng.pick(BAD_LIMITS) : prng.pick(BAD_WINDOWS);
    const encode = (value: string) => (value.includes('%') ? value : pct(value));
    const queries = [
      `${parameter}=${encode(bad)}`,
      `${parameter}=${good}&${parameter}=${encode(bad)}`,
      `${parameter}=${good}&${parameter}=${good}`,
      `${parameter}[]=${good}`,
      `${parameter}[x]=${good}`,
      `${parameter}=${good}&${encode(prng.pick([...ODD_KEYS.filter((k) => k.trim() !== ''), ...SQL]))}=1`,
      `${pct(unicodeString(prng))}=${good}`,
      `${parameter.toUpperCase()}=${good}`,
    ];
    const query = prng.pick(queries);
    return {
      id,
      kind: 'query',
      what: `${path}?${query.slice(0, 60)}`,
      method: 'GET',
      path: `${path}?${query}`,
      headers: { ...this.auth.monitoring },
      expect: 'bad',
      status: 400,
    };
  }

  /** Paths no route serves (with the right keys, so the guard is not what answers). */
  private unknownPath(id: number): FuzzCase {
    const { prng } = this;
    const segment = () => {
      const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-_.~%!$&'()*+,;=:@";
      let text = '';
      for (let i = prng.int(1, 30); i > 0; i--) text += alphabet[prng.int(0, alphabet.length - 1)];
      return text;
    };
    const fixed = [
      '/.env',
      '/../../etc/passwd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/predict/../monitoring/latency',
      '/predict/x',
      '/healthz/x',
      '/metrics/x',
      '/model/x',
      '/monitoring/latency/x',
      '/monitoring/x',
      '/admin',
      '/admin/dead-letters/x/y',
      '/%00',
      '/%FF%FE',
      '/' + pct(unicodeString(prng)),
      '//',
      '/\\',
      '/predicts',
      '/healthzz',
      '/metric',
      '/' + 'a'.repeat(prng.int(1000, 8000)),
      '/favicon.ico',
      '/index.html',
      '/api/predict',
      // parameterised routes: a percent-escape that does not decode must be a 400, not a 500
      '/admin/dead-letters/%E0%A4%A',
      '/admin/dead-letters/%FF/replay',
      '/admin/dead-letters/%',
      '/admin/dead-letters?limit=-1',
    ];
    const path = prng.chance(0.5) ? prng.pick(fixed) : `/x-${segment()}${prng.chance(0.3) ? `/${segment()}` : ''}`;
    const method = prng.pick(['GET', 'POST', 'HEAD', 'DELETE']);
    const headers = { ...this.auth.monitoring, ...(path.startsWith('/predict') ? this.auth.predict : {}) };
    return { id, kind: 'path', what: `${method} ${path.slice(0, 60)}`, method, path, headers, expect: 'bad' };
  }

  /** Requests that would be served, but with no key, a malformed one, a wrong one or the other area's: 401. */
  private badAuth(id: number): FuzzCase {
    const { prng, ctx } = this;
    const toPredict = prng.chance(0.5);
    const ownKey = toPredict ? ctx.predictKey : ctx.monitoringKey;
    const otherKey = toPredict ? ctx.monitoringKey : ctx.predictKey;
    const authorization = prng.pick([
      undefined,
      ...BAD_AUTH,
      `Bearer ${otherKey}`,
      `Bearer ${ownKey}x`,
      `Bearer ${ownKey.slice(0, -1)}`,
      `Bearer ${ownKey} extra`,
      `Basic ${ownKey}`,
      ownKey,
      `Bearer ${ownKey.toUpperCase()}`,
    ]);
    const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
    const shown = authorization === undefined ? '(none)' : JSON.stringify(authorization.replace(ownKey, '<key>').replace(otherKey, '<other key>').slice(0, 40));
    const what = `auth ${shown}`;
    if (toPredict) {
      // A valid body: only the key stands between it and a stored row.
      return {
        id,
        kind: 'auth',
        what: `POST /predict ${what}`,
        method: 'POST',
        path: '/predict',
        headers: { ...headers, 'content-type': 'application/json' },
        body: json({ features: this.validCopy() }),
        expect: 'bad',
        status: 401,
      };
    }
    const path = prng.pick([...MONITORING, '/monitoring/latency?window=1h', '/monitoring/predictions?limit=10', '/admin/dead-letters']);
    return { id, kind: 'auth', what: `GET ${path} ${what}`, method: 'GET', path, headers, expect: 'bad', status: 401 };
  }

  /** Bodies past BODY_LIMIT_BYTES, plain or as a gzip bomb, and batches past MAX_INSTANCES_PER_REQUEST: 413. */
  private oversized(id: number): FuzzCase {
    const { prng, ctx } = this;
    const choice = prng.int(0, 2);
    if (choice === 0) {
      const pad = 'x'.repeat(ctx.bodyLimitBytes + 10);
      return this.predict(id, 'size', 'body over the limit', Buffer.from(`{"features":{"pad":"${pad}"}}`), 413);
    }
    if (choice === 1) {
      return this.predict(id, 'size', 'gzip bomb', gzipSync(Buffer.alloc(ctx.bodyLimitBytes * 4, 0x20)), 413, { 'content-encoding': 'gzip' });
    }
    const instances = Array.from({ length: ctx.maxInstances + 1 }, () => this.validCopy());
    return this.predict(id, 'size', `${instances.length} instances`, json({ instances }), 413);
  }

  /** Requests Node's HTTP parser refuses itself: bytes above 0x7f in the path, a request line past the header limit. */
  private nodeRefuses(id: number): FuzzCase {
    const { prng } = this;
    const path = prng.chance(0.7) ? `/monitoring/latency?window=1\u00ff${prng.chance(0.5) ? '\u00e9' : ''}` : `/${'a'.repeat(20_000)}`;
    return { id, kind: 'node', what: `path ${path.slice(0, 40)}`, method: 'GET', path, headers: {}, expect: 'node' };
  }

  /** Requests that are in fact fine; never a valid POST /predict, which would store a row. */
  private valid(id: number): FuzzCase {
    const { prng } = this;
    const choice = prng.int(0, 4);
    if (choice === 0) {
      const path = prng.pick(MONITORING);
      const query = path.endsWith('/predictions')
        ? prng.pick(['', `?limit=${prng.int(1, 1000)}`])
        : prng.pick(['', `?window=${prng.pick(['15m', '1h', '24h', '7d'])}`]);
      return {
        id,
        kind: 'valid',
        what: `GET ${path}${query}`,
        method: 'GET',
        path: path + query,
        headers: { ...this.auth.monitoring },
        expect: 'ok',
        status: 200,
      };
    }
    const path = prng.pick([
      '/healthz',
      '/readyz',
      '/metrics',
      '/model',
      '/healthz/',
      '/HEALTHZ',
      `/model?${pct(prng.pick(ODD_KEYS.filter((k) => k !== '')))}=1`,
    ]);
    const method = prng.chance(0.2) ? 'HEAD' : 'GET';
    return {
      id,
      kind: 'valid',
      what: `${method} ${path}`,
      method,
      path,
      headers: prng.chance(0.3) ? { authorization: prng.pick(BAD_AUTH) } : {},
      expect: 'ok',
      status: 200,
    };
  }
}
