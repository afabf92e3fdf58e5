import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { loadConfig } from '@vigil/config';
import type { FeatureRecord } from '@vigil/model';
import { startApi } from '../../apps/api/src/start-api';
import { redactFeatures } from '../../apps/api/src/security/redact-features';
import { startStack, type Stack } from '../support/stack';
import { queryPostgres, referenceInstances, testConfig, waitFor } from '../support/test-env';

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: unknown;
}

interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

interface PredictAnswer {
  prediction_id: string;
  prediction: 0 | 1;
  probability: number;
}

/** Real HTTP; unlike test/support/http this keeps the headers, which are what these tests are about. */
async function call(port: number, method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: the assertions say so
  }
  return { status: response.status, headers: response.headers, text, body: parsed };
}

function expectError(answer: Answer, status: number, code: string): ErrorBody['error'] {
  expect(answer.status, answer.text).to.equal(status);
  expect(answer.headers.get('content-type')).to.match(/^application\/json/);
  const { error } = answer.body as ErrorBody;
  expect(error.code).to.equal(code);
  expect(error.message).to.be.a('string').and.not.equal('');
  expect(error.details).to.be.an('object');
  return error;
}

function expectSecurityHeaders(answer: Answer, hsts: string | null): void {
  const where = `${answer.status} ${answer.text.slice(0, 80)}`;
  expect(answer.headers.get('x-content-type-options'), where).to.equal('nosniff');
  expect(answer.headers.get('x-frame-options'), where).to.equal('DENY');
  expect(answer.headers.get('referrer-policy'), where).to.equal('no-referrer');
  expect(answer.headers.get('content-security-policy'), where).to.match(/^default-src 'none'.*frame-ancestors 'none'/);
  expect(answer.headers.get('strict-transport-security'), where).to.equal(hsts);
  expect(answer.headers.get('x-powered-by'), where).to.equal(null);
}

const secret = (label: string) => `${label}-${randomBytes(16).toString('hex')}`;
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const MONITORING_PATHS = ['/monitoring/latency?window=1h', '/monitoring/predictions?limit=5', '/monitoring/distribution?window=24h'];

/** What the test computes on its own, with node:crypto, to check the API's hash. */
const hmac = (salt: string, value: string | number | boolean) => `sha256:${createHmac('sha256', salt).update(String(value)).digest('hex')}`;

describe('security', function () {
  describe('configuration', function () {
    it('refuses NODE_ENV=production without MONITORING_API_KEY and ADMIN_API_KEY, naming them; the API process exits 2', async function () {
      this.timeout(30_000);
      expect(() => loadConfig({ NODE_ENV: 'production' })).to.throw(/MONITORING_API_KEY: required when NODE_ENV=production/);
      expect(() => loadConfig({ NODE_ENV: 'production', MONITORING_API_KEY: secret('m') })).to.throw(/ADMIN_API_KEY: required when NODE_ENV=production/);
      expect(loadConfig({ NODE_ENV: 'production', MONITORING_API_KEY: secret('m'), ADMIN_API_KEY: secret('a') }).nodeEnv).to.equal('production');
      expect(loadConfig({}).monitoringApiKey).to.equal(undefined);

      const child = spawn(process.execPath, ['--import', 'tsx', 'apps/api/src/main.ts'], {
        env: { PATH: process.env.PATH, NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', PREDICTION_LOGGING: 'off' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code, stderr).to.equal(2);
      expect(stderr).to.match(/MONITORING_API_KEY: required when NODE_ENV=production/);
      expect(stderr).to.match(/ADMIN_API_KEY: required when NODE_ENV=production/);
    });

    it('never echoes a key or a salt in its errors: only their length', function () {
      const shortKey = 'hunter2-secret';
      const spacedKey = 'a key long enough but with spaces';
      const shortSalt = 'salty-but-short';
      const shortAdminKey = 'admin-too-short';
      let message = '';
      try {
        loadConfig({
          MONITORING_API_KEY: shortKey,
          PREDICT_API_KEY: spacedKey,
          ADMIN_API_KEY: shortAdminKey,
          LOG_REDACT_FEATURES: 'amount',
          LOG_REDACT_SALT: shortSalt,
        });
      } catch (error) {
        message = (error as Error).message + JSON.stringify((error as { details?: unknown }).details);
      }
      expect(message).to.include(`MONITORING_API_KEY=<secret, ${shortKey.length} characters>`);
      expect(message).to.include(`PREDICT_API_KEY=<secret, ${spacedKey.length} characters>`);
      expect(message).to.include(`LOG_REDACT_SALT=<secret, ${shortSalt.length} characters>`);
      expect(message).to.include(`ADMIN_API_KEY=<secret, ${shortAdminKey.length} characters>`);
      for (const value of [shortKey, spacedKey, shortSalt, shortAdminKey]) expect(message).not.to.include(value);
    });

    it('refuses a /predict key equal to the monitoring key, and hash redaction without a salt', function () {
      const key = secret('same');
      expect(() => loadConfig({ MONITORING_API_KEY: key, PREDICT_API_KEY: key }))
        .to.throw(/PREDICT_API_KEY: must differ from MONITORING_API_KEY/)
        .and.satisfy((error: Error) => !error.message.includes(key));
      expect(() => loadConfig({ LOG_REDACT_FEATURES: 'amount' })).to.throw(/LOG_REDACT_SALT: required/);
      expect(loadConfig({ LOG_REDACT_FEATURES: ' amount , merchant_category ', LOG_REDACT_MODE: 'drop' }).logRedactFeatures).to.deep.equal([
        'amount',
        'merchant_category',
      ]);
    });

    it('stops start-up when LOG_REDACT_FEATURES names a feature the model does not have', async function () {
      const config = testConfig({ PREDICTION_LOGGING: 'off', LOG_REDACT_FEATURES: 'amount,favourite_colour', LOG_REDACT_SALT: secret('salt') });
      const failure = await startApi(config).then(
        (api) => api.close().then(() => undefined),
        (error: Error) => error,
      );
      expect(failure, 'startApi should have refused').to.be.instanceOf(Error);
      expect((failure as Error).message).to.match(/LOG_REDACT_FEATURES[^\n]*"favourite_colour"/);
    });
  });

  describe('bearer keys, headers and secrets in logs', function () {
    const monitoringKey = secret('monitoring');
    const adminKey = secret('admin');
    const predictKey = secret('predict');
    const salt = secret('salt');
    const wrongKey = secret('wrong');
    const answers: Answer[] = [];
    const logged: string[] = [];
    const writeStderr = process.stderr.write;
    let stack: Stack;
    const send = async (method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}) => {
      const answer = await call(stack.api.port, method, path, options);
      answers.push(answer);
      return answer;
    };

    before(async function () {
      // Every log line of the API and the worker, at debug, to look for secrets in.
      process.stderr.write = ((chunk: string | Uint8Array) => {
        logged.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
        return true;
      }) as typeof process.stderr.write;
      stack = await startStack(
        testConfig({
          MONITORING_API_KEY: monitoringKey,
          ADMIN_API_KEY: adminKey,
          PREDICT_API_KEY: predictKey,
          HSTS_MAX_AGE_SECONDS: '31536000',
          LOG_REDACT_FEATURES: 'amount',
          LOG_REDACT_SALT: salt,
          LOG_LEVEL: 'debug',
        }),
      );
    });
    after(async function () {
      await stack?.close();
      process.stderr.write = writeStderr;
    });

    it('answers 401 JSON on every /monitoring path without a key, with a malformed one or a wrong one', async function () {
      for (const path of MONITORING_PATHS) {
        const missing = expectError(await send('GET', path), 401, 'UNAUTHORIZED');
        expect(missing.details.reason).to.equal('missing');
        expect(answers.at(-1)!.headers.get('www-authenticate')).to.equal('Bearer realm="monitoring"');
        expect(expectError(await send('GET', path, { headers: { authorization: `Basic ${monitoringKey}` } }), 401, 'UNAUTHORIZED').details.reason).to.equal(
          'malformed',
        );
        expect(expectError(await send('GET', path, { headers: bearer(wrongKey) }), 401, 'UNAUTHORIZED').details.reason).to.equal('invalid_key');
        expect(answers.at(-1)!.headers.get('www-authenticate')).to.match(/error="invalid_token"/);
        // keys are per area: the /predict key opens nothing here
        expectError(await send('GET', path, { headers: bearer(predictKey) }), 401, 'UNAUTHORIZED');
        // a prefix or an extension of the key is not the key
        expectError(await send('GET', path, { headers: bearer(monitoringKey.slice(0, -1)) }), 401, 'UNAUTHORIZED');
        expectError(await send('GET', path, { headers: bearer(`${monitoringKey}x`) }), 401, 'UNAUTHORIZED');
      }
      // the router matches case-insensitively and ignores a trailing slash; so does the guard
      for (const path of [
        '/MONITORING/latency',
        '/Monitoring/Predictions',
        '/monitoring/latency/',
        '/monitoring',
        '/admin',
        '/admin/dead-letters',
        '/ADMIN/x',
      ]) {
        expectError(await send('GET', path), 401, 'UNAUTHORIZED');
        expectError(await send('POST', path, { body: {} }), 401, 'UNAUTHORIZED');
      }
    });

    it('answers 200 on /monitoring with the right key (scheme case-insensitive), and 404 JSON on unknown /admin paths', async function () {
      for (const path of MONITORING_PATHS) {
        const answer = await send('GET', path, { headers: bearer(monitoringKey) });
        expect(answer.status, answer.text).to.equal(200);
        expect(answer.headers.get('content-type')).to.match(/^application\/json/);
        expect((await send('GET', path, { headers: { authorization: `bearer  ${monitoringKey}` } })).status).to.equal(200);
      }
      expectError(await send('GET', '/admin/nothing-here', { headers: bearer(monitoringKey) }), 404, 'NOT_FOUND');
    });

    it('lets the monitoring key read /admin and only the admin key replay; neither opens /predict', async function () {
      expect((await send('GET', '/admin/dead-letters', { headers: bearer(monitoringKey) })).status).to.equal(200);
      expect((await send('GET', '/admin/dead-letters', { headers: bearer(adminKey) })).status).to.equal(200);
      const replay = '/admin/dead-letters/no-such-entry/replay';
      const readOnly = expectError(await send('POST', replay, { headers: bearer(monitoringKey) }), 401, 'UNAUTHORIZED');
      expect(readOnly.details).to.include({ realm: 'admin', reason: 'read_only_key' });
      expectError(await send('POST', replay, { headers: bearer(predictKey) }), 401, 'UNAUTHORIZED');
      // Past the keys, the route itself answers: there is no such entry.
      expectError(await send('POST', replay, { headers: bearer(adminKey) }), 404, 'DEAD_LETTER_NOT_FOUND');
      expectError(await send('POST', '/predict', { body: { features: referenceInstances(1)[0] }, headers: bearer(adminKey) }), 401, 'UNAUTHORIZED');
    });

    it('keeps /metrics, /healthz, /readyz and /model open', async function () {
      for (const path of ['/metrics', '/healthz', '/readyz', '/model']) {
        const answer = await send('GET', path);
        expect(answer.status, `${path}: ${answer.text.slice(0, 200)}`).to.equal(200);
      }
    });

    it('requires PREDICT_API_KEY on /predict, and the monitoring key does not open it', async function () {
      const features = referenceInstances(1)[0]!;
      expectError(await send('POST', '/predict', { body: { features } }), 401, 'UNAUTHORIZED');
      expectError(await send('POST', '/predict', { body: { features }, headers: bearer(wrongKey) }), 401, 'UNAUTHORIZED');
      expectError(await send('POST', '/predict', { body: { features }, headers: bearer(monitoringKey) }), 401, 'UNAUTHORIZED');
      expect(answers.at(-1)!.headers.get('www-authenticate')).to.match(/^Bearer realm="predict"/);
      // authentication comes before the body is read: garbage without a key is a 401, not a 400
      expectError(await send('POST', '/predict', { body: 'not json', headers: { 'content-type': 'application/json' } }), 401, 'UNAUTHORIZED');

      const good = await send('POST', '/predict', { body: { features }, headers: bearer(predictKey) });
      expect(good.status, good.text).to.equal(200);
      const { prediction_id } = good.body as PredictAnswer;
      const db = new Database(stack.config.sqlitePath, { readonly: true });
      try {
        await waitFor('the prediction in SQLite', () => db.prepare('SELECT 1 FROM predictions WHERE prediction_id = ?').get(prediction_id) ?? undefined);
        // only the authorised request was logged
        expect(db.prepare('SELECT prediction_id FROM predictions').pluck().all()).to.deep.equal([prediction_id]);
      } finally {
        db.close();
      }
    });

    it('sends the security headers on every answer, HSTS included when configured', async function () {
      const hsts = 'max-age=31536000; includeSubDomains';
      expectSecurityHeaders(await send('GET', '/healthz'), hsts);
      expectSecurityHeaders(await send('GET', '/metrics'), hsts);
      expectSecurityHeaders(await send('GET', '/nope'), hsts);
      expectSecurityHeaders(await send('GET', '/monitoring/latency'), hsts);
      expectSecurityHeaders(await send('GET', '/monitoring/latency', { headers: bearer(monitoringKey) }), hsts);
      expectSecurityHeaders(await send('POST', '/predict', { body: { features: {} }, headers: bearer(predictKey) }), hsts);
      expectError(await send('OPTIONS', '/healthz'), 405, 'METHOD_NOT_ALLOWED');
      expectSecurityHeaders(answers.at(-1)!, hsts);
    });

    it('never shows a key or the salt in an answer or a log line', async function () {
      await stack.worker.shipper!.drain();
      expect(answers.length).to.be.greaterThan(50);
      expect(logged.join('')).to.match(/api listening/); // the capture works
      const everything = answers.map((answer) => answer.text + JSON.stringify([...answer.headers])).join('\n') + logged.join('');
      for (const value of [monitoringKey, adminKey, predictKey, salt, wrongKey]) {
        expect(everything.includes(value), 'a secret appears in an answer or the log').to.equal(false);
        expect(everything.includes(value.slice(-16)), 'part of a secret appears in an answer or the log').to.equal(false);
      }
    });
  });

  describe('rate limit', function () {
    let stack: Stack;
    before(async function () {
      // Prediction logging on: the limit counts in Redis, as replicas share it (test/e2e/shared-rate-limit.test.ts).
      stack = await startStack(testConfig({ RATE_LIMIT_PER_MINUTE: '5' }));
    });
    after(async function () {
      await stack?.close();
    });

    it('answers 429 JSON with Retry-After once a client has spent its requests; probes are never limited', async function () {
      const port = stack.api.port;
      for (let i = 0; i < 5; i++) expect((await call(port, 'GET', '/model')).status).to.equal(200);
      const limited = await call(port, 'GET', '/model');
      const error = expectError(limited, 429, 'RATE_LIMITED');
      expectSecurityHeaders(limited, null);
      // The client's minute opened with its first request, moments ago.
      const retryAfter = Number(limited.headers.get('retry-after'));
      expect(Number.isInteger(retryAfter), String(limited.headers.get('retry-after'))).to.equal(true);
      expect(retryAfter).to.be.within(55, 60);
      expect(error.details).to.include({ limit_per_minute: 5 });
      // every route counts against the same client, before the body is even read
      expectError(await call(port, 'POST', '/predict', { body: { features: referenceInstances(1)[0] } }), 429, 'RATE_LIMITED');
      expectError(await call(port, 'GET', '/nope'), 429, 'RATE_LIMITED');
      for (const probe of ['/healthz', '/readyz']) expect((await call(port, 'GET', probe)).status, probe).to.equal(200);
    });
  });

  describe('redaction of logged features', function () {
    const salt = secret('salt');
    const redacted = ['amount', 'merchant_category'] as const;
    const [first, second] = referenceInstances(2, 40) as [FeatureRecord, FeatureRecord];
    const stacks: Stack[] = [];
    async function stackWith(overrides: Record<string, string>): Promise<Stack> {
      const stack = await startStack(testConfig(overrides));
      stacks.push(stack);
      return stack;
    }
    after(async function () {
      for (const stack of stacks) await stack.close();
    });

    /** Sends the same batch, then reads the two records back from SQLite and, once shipped, from Postgres. */
    async function predictAndRead(stack: Stack) {
      const answer = await call(stack.api.port, 'POST', '/predict', { body: { instances: [first, second] } });
      expect(answer.status, answer.text).to.equal(200);
      const predictions = (answer.body as { predictions: PredictAnswer[] }).predictions;
      const ids = predictions.map((p) => p.prediction_id);
      const db = new Database(stack.config.sqlitePath, { readonly: true });
      let sqlite: Record<string, unknown>[];
      try {
        sqlite = await waitFor('both records in SQLite', () => {
          const rows = db.prepare('SELECT prediction_id, features FROM predictions ORDER BY prediction_id').all() as {
            prediction_id: string;
            features: string;
          }[];
          return rows.length === 2 ? rows.map((row) => JSON.parse(row.features) as Record<string, unknown>) : undefined;
        });
      } finally {
        db.close();
      }
      await stack.worker.shipper!.drain();
      const postgres = (
        await queryPostgres<{ features: Record<string, unknown> }>(
          `SELECT features FROM "${stack.config.auditSchema}".predictions WHERE prediction_id = ANY($1) ORDER BY prediction_id`,
          [ids],
        )
      ).map((row) => row.features);
      return { probabilities: predictions.map((p) => p.probability), sqlite, postgres };
    }

    it('hashes the named features with HMAC-SHA256 in both stores; drop mode leaves them out; the scores are unchanged', async function () {
      this.timeout(60_000);
      const plain = await predictAndRead(await stackWith({}));
      const hashed = await predictAndRead(await stackWith({ LOG_REDACT_FEATURES: redacted.join(','), LOG_REDACT_SALT: salt }));
      const dropped = await predictAndRead(await stackWith({ LOG_REDACT_FEATURES: redacted.join(','), LOG_REDACT_MODE: 'drop' }));

      // without redaction the real values are stored: the checks below would catch a no-op
      expect(plain.sqlite).to.deep.equal([first, second]);
      expect(plain.postgres).to.deep.equal([first, second]);

      [first, second].forEach((sent, i) => {
        const expectedHash = { ...sent, amount: hmac(salt, sent.amount as number), merchant_category: hmac(salt, sent.merchant_category as string) };
        expect(hashed.sqlite[i], `SQLite, instance ${i}`).to.deep.equal(expectedHash);
        expect(hashed.postgres[i], `Postgres, instance ${i}`).to.deep.equal(expectedHash);
        const { amount: _amount, merchant_category: _category, ...rest } = sent;
        expect(dropped.sqlite[i]).to.deep.equal(rest);
        expect(dropped.postgres[i]).to.deep.equal(rest);
        for (const row of [hashed.sqlite[i], hashed.postgres[i]]) expect(JSON.stringify(row)).not.to.include(String(sent.merchant_category));
      });

      // the model scored the real values every time
      expect(hashed.probabilities).to.deep.equal(plain.probabilities);
      expect(dropped.probabilities).to.deep.equal(plain.probabilities);
    });

    it('answers with the default headers and no HSTS when nothing is configured; monitoring stays open', async function () {
      const stack = stacks[0]!;
      const answer = await call(stack.api.port, 'GET', '/monitoring/predictions?limit=1');
      expect(answer.status).to.equal(200);
      expectSecurityHeaders(answer, null);
    });

    it('is a pure function: the input record is left as it was', function () {
      const input = Object.freeze({ ...first });
      const output = redactFeatures(input, new Set(['amount']), 'hash', salt);
      expect(input).to.deep.equal(first);
      expect(output).to.deep.equal({ ...first, amount: hmac(salt, first.amount as number) });
      expect(redactFeatures(input, new Set(['amount']), 'drop', undefined)).not.to.have.property('amount');
    });
  });
});
