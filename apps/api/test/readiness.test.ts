import { expect } from 'chai';
import { Readiness, type CheckResult } from '../src/readiness';
import type { LoggerHealth } from '@vigil/prediction-log';
import { loggerChecks, modelLoaded } from '../src/readiness-checks';
import { shutdownGrace } from '../src/shutdown-grace';

const HEALTHY: LoggerHealth = { redis: 'up', journalWritable: true, backlogBytes: 0, maxBytes: 1 << 20, full: false };

function withLogger(health: Partial<LoggerHealth>): Readiness {
  return new Readiness({ model: modelLoaded, ...loggerChecks({ health: () => ({ ...HEALTHY, ...health }) }) });
}

describe('Readiness: whether an orchestrator should route traffic to this replica', function () {
  it('is ready when every check is ok', async function () {
    expect(await withLogger({}).report()).to.deep.equal({ ready: true, status: 'ready', checks: { model: 'ok', redis: 'ok', journal: 'ok' } });
  });

  it('stays ready, degraded, while Redis is down and the journal keeps the records, however big the backlog', async function () {
    expect(await withLogger({ redis: 'down', backlogBytes: 900_000 }).report()).to.deep.equal({
      ready: true,
      status: 'degraded',
      checks: { model: 'ok', redis: 'down', journal: 'ok' },
    });
  });

  it('is not ready when the journal is full or cannot be written, Redis up or not', async function () {
    for (const redis of ['up', 'down'] as const) {
      const full = await withLogger({ redis, full: true, backlogBytes: 1 << 20 }).report();
      expect(full, `full, Redis ${redis}`).to.deep.equal({
        ready: false,
        status: 'not_ready',
        checks: { model: 'ok', redis: redis === 'up' ? 'ok' : 'down', journal: 'full' },
      });
      const unwritable = await withLogger({ redis, journalWritable: false }).report();
      expect(unwritable.ready, `unwritable, Redis ${redis}`).to.equal(false);
      expect(unwritable.checks.journal, `unwritable, Redis ${redis}`).to.equal('unwritable');
    }
    // Unwritable says more than full: it is what an operator must fix.
    expect((await withLogger({ journalWritable: false, full: true }).report()).checks.journal).to.equal('unwritable');
  });

  it('counts a check that throws as failed (error) and one that does not answer in time as failed (timeout)', async function () {
    const never: () => Promise<CheckResult> = () => new Promise(() => undefined);
    const readiness = new Readiness(
      {
        model: modelLoaded,
        thrown: () => {
          throw new Error('boom');
        },
        rejected: () => Promise.reject(new Error('gone')),
        hanging: never,
      },
      50,
    );
    const started = performance.now();
    expect(await readiness.report()).to.deep.equal({
      ready: false,
      status: 'not_ready',
      checks: { model: 'ok', thrown: 'error', rejected: 'error', hanging: 'timeout' },
    });
    expect(performance.now() - started).to.be.below(1000);
  });

  it('answers shutting_down, not ready, once shutdown has begun, with the checks still shown', async function () {
    const readiness = withLogger({ redis: 'down' });
    expect(readiness.shuttingDown).to.equal(false);
    readiness.beginShutdown();
    expect(readiness.shuttingDown).to.equal(true);
    expect(await readiness.report()).to.deep.equal({ ready: false, status: 'shutting_down', checks: { model: 'ok', redis: 'down', journal: 'ok' } });
  });
});

describe('shutdownGrace: the wait between leaving the rotation and draining', function () {
  it('is not pending and never over until started', async function () {
    const grace = shutdownGrace();
    expect(grace.pending).to.equal(false);
    const settled = await Promise.race([grace.elapsed().then(() => 'over'), new Promise((resolve) => setTimeout(() => resolve('waiting'), 30))]);
    expect(settled).to.equal('waiting');
  });

  it('ends after the first grace given, and a longer one later does not extend it', async function () {
    const grace = shutdownGrace();
    const started = performance.now();
    grace.shorten(120);
    expect(grace.pending).to.equal(true);
    grace.shorten(10_000);
    await grace.elapsed();
    const waited = performance.now() - started;
    expect(waited).to.be.within(100, 2000);
    expect(grace.pending).to.equal(false);
  });

  it('ends at once when shortened to 0 (Ctrl-C during a SIGTERM grace)', async function () {
    const grace = shutdownGrace();
    grace.shorten(10_000);
    const started = performance.now();
    setTimeout(() => grace.shorten(0), 20);
    await grace.elapsed();
    expect(performance.now() - started).to.be.below(1000);
    expect(grace.pending).to.equal(false);
  });
});
