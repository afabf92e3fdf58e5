import { expect } from 'chai';
import { randomBytes, randomInt } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import Database from 'better-sqlite3';
import { findFeatureProblems, loadModelSpec } from '@vigil/model';
import { startStack, type Stack } from '../support/stack';
import { queryPostgres, referenceInstances, testConfig, waitFor } from '../support/test-env';
import { HostileCases, type FuzzCase } from './hostile-cases';
import { createPrng } from '../support/prng';

/** Bad requests to send at the least; valid ones (GET /healthz and such) come on top. */
const MIN_BAD = 10_000;
const IN_FLIGHT = 20;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

interface Failure {
  readonly id: number;
  readonly kind: string;
  readonly what: string;
  readonly problem: string;
}

function send(agent: Agent, port: number, fuzzCase: FuzzCase): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...fuzzCase.headers };
    if (fuzzCase.body !== undefined) headers['content-length'] = fuzzCase.body.length;
    const req = httpRequest({ host: '127.0.0.1', port, method: fuzzCase.method, path: fuzzCase.path, headers, agent, timeout: 20_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 20 s')));
    req.on('error', reject);
    req.end(fuzzCase.body);
  });
}

/** Why an answer is wrong for its case, or undefined when it is right. */
function judge(fuzzCase: FuzzCase, answer: Answer, secrets: readonly string[]): string | undefined {
  const { status } = answer;
  if (status >= 500) return `server error ${status}: ${answer.text.slice(0, 300)}`;
  if (secrets.some((value) => answer.text.includes(value))) return 'a key appears in the answer';
  if (fuzzCase.expect === 'node') return status >= 400 && status < 500 ? undefined : `expected Node's parser to refuse it, got ${status}`;
  if (answer.headers['x-content-type-options'] !== 'nosniff') return 'security headers missing';
  if (fuzzCase.expect === 'ok') return status >= 200 && status < 300 ? undefined : `expected 2xx, got ${status}: ${answer.text.slice(0, 300)}`;
  if (!(status >= 400 && status < 500)) return `expected 4xx, got ${status}: ${answer.text.slice(0, 300)}`;
  if (fuzzCase.status !== undefined && status !== fuzzCase.status) return `expected ${fuzzCase.status}, got ${status}: ${answer.text.slice(0, 300)}`;
  if (!String(answer.headers['content-type']).startsWith('application/json')) return `content-type ${String(answer.headers['content-type'])}`;
  if (fuzzCase.method === 'HEAD') return answer.text === '' ? undefined : 'HEAD answer has a body';
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return `body is not JSON: ${answer.text.slice(0, 200)}`;
  }
  const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
  if (typeof error?.code !== 'string' || !/^[A-Z_]+$/.test(error.code)) return `no error.code: ${answer.text.slice(0, 200)}`;
  if (typeof error.message !== 'string' || error.message === '') return `no error.message: ${answer.text.slice(0, 200)}`;
  if (typeof error.details !== 'object' || error.details === null || Array.isArray(error.details))
    return `no error.details object: ${answer.text.slice(0, 200)}`;
  return undefined;
}

describe('hostile input (fuzz)', function () {
  const seed = process.env.FUZZ_SEED === undefined ? randomInt(2 ** 31) : Number(process.env.FUZZ_SEED);
  const monitoringKey = `fuzz-monitoring-${randomBytes(12).toString('hex')}`;
  const predictKey = `fuzz-predict-${randomBytes(12).toString('hex')}`;
  let stack: Stack;

  before(async function () {
    stack = await startStack(
      testConfig({
        MONITORING_API_KEY: monitoringKey,
        PREDICT_API_KEY: predictKey,
        // on, so the limiter runs on every request, but far above what the fuzz sends
        RATE_LIMIT_PER_MINUTE: '100000000',
        LOG_REDACT_FEATURES: 'merchant_category',
        LOG_REDACT_SALT: `fuzz-salt-${randomBytes(12).toString('hex')}`,
      }),
    );
  });
  after(async function () {
    await stack?.close();
  });

  it(`answers at least ${MIN_BAD} generated bad requests with a 4xx JSON error, never a 5xx, and stores none of them`, async function () {
    this.timeout(180_000);
    process.stdout.write(`      fuzz seed ${seed} (replay with FUZZ_SEED=${seed})\n`);
    const spec = loadModelSpec(stack.config.modelSpecPath);
    const valid = referenceInstances(200);
    for (const instance of valid) expect(findFeatureProblems(spec, instance, 'base'), 'the bases must be valid').to.deep.equal([]);
    const cases = new HostileCases(createPrng(seed), {
      spec,
      valid,
      monitoringKey,
      predictKey,
      maxInstances: stack.config.maxInstancesPerRequest,
      bodyLimitBytes: stack.config.bodyLimitBytes,
    });

    // The API runs in this process: a `__proto__` key that polluted a prototype would show here.
    const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
    const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
    const statuses = new Map<string, number>();
    const byKind = new Map<string, Map<number, number>>();
    const failures: Failure[] = [];
    const counts = { bad: 0, ok: 0, node: 0 };
    let nextId = 0;
    const started = performance.now();

    // IN_FLIGHT loops pull cases in id order; generation is synchronous, so a seed always yields the same cases.
    async function loop(): Promise<void> {
      while (counts.bad < MIN_BAD) {
        const fuzzCase = cases.next(nextId++);
        counts[fuzzCase.expect]++;
        let problem: string | undefined;
        let status = 'no answer';
        try {
          const answer = await send(agent, stack.api.port, fuzzCase);
          status = String(answer.status);
          problem = judge(fuzzCase, answer, [monitoringKey, predictKey]);
        } catch (error) {
          problem = `request failed: ${(error as Error).message}`;
        }
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        const kind = byKind.get(fuzzCase.kind) ?? new Map<number, number>();
        kind.set(Number(status) || 0, (kind.get(Number(status) || 0) ?? 0) + 1);
        byKind.set(fuzzCase.kind, kind);
        if (problem !== undefined) failures.push({ id: fuzzCase.id, kind: fuzzCase.kind, what: fuzzCase.what, problem });
      }
    }
    await Promise.all(Array.from({ length: IN_FLIGHT }, loop));
    agent.destroy();
    const seconds = (performance.now() - started) / 1000;

    const histogram = [...statuses.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([status, count]) => `${status}: ${count}`)
      .join(', ');
    const kinds = [...byKind.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(
        ([kind, map]) =>
          `${kind} ${[...map.entries()]
            .sort(([a], [b]) => a - b)
            .map(([s, c]) => `${s}×${c}`)
            .join(' ')}`,
      )
      .join('; ');
    process.stdout.write(
      `      fuzz: ${nextId} requests (${counts.bad} bad, ${counts.node} refused by Node's parser, ${counts.ok} valid) ` +
        `in ${seconds.toFixed(1)} s, seed ${seed}\n` +
        `      statuses: ${histogram}\n      by kind: ${kinds}\n`,
    );

    expect(
      failures,
      `seed ${seed}: ${failures.length} wrong answers, e.g.\n${failures
        .slice(0, 15)
        .map((f) => `  #${f.id} [${f.kind}] ${f.what}: ${f.problem}`)
        .join('\n')}`,
    ).to.deep.equal([]);
    expect(counts.bad).to.be.at.least(MIN_BAD);
    expect([...statuses.keys()].filter((status) => status.startsWith('5'))).to.deep.equal([]);

    expect(Object.getOwnPropertyNames(Object.prototype).sort(), 'Object.prototype changed').to.deep.equal(prototypeKeys);

    // Still alive and serving.
    const health = await fetch(`http://127.0.0.1:${stack.api.port}/healthz`);
    expect(health.status).to.equal(200);

    // Nothing was stored: one good prediction now, and it is the only row in either store.
    const good = await fetch(`http://127.0.0.1:${stack.api.port}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${predictKey}` },
      body: JSON.stringify({ features: referenceInstances(1)[0] }),
    });
    expect(good.status).to.equal(200);
    const { prediction_id } = (await good.json()) as { prediction_id: string };
    const db = new Database(stack.config.sqlitePath, { readonly: true });
    try {
      await waitFor('the good prediction in SQLite', () => db.prepare('SELECT 1 FROM predictions WHERE prediction_id = ?').get(prediction_id) ?? undefined);
      expect(db.prepare('SELECT prediction_id FROM predictions').pluck().all()).to.deep.equal([prediction_id]);
    } finally {
      db.close();
    }
    await stack.worker.shipper!.drain();
    const rows = await queryPostgres<{ prediction_id: string }>(`SELECT prediction_id FROM "${stack.config.auditSchema}".predictions`);
    expect(rows.map((row) => row.prediction_id)).to.deep.equal([prediction_id]);
  });
});
