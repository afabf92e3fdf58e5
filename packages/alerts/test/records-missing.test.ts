import { expect } from 'chai';
import { Redis } from 'ioredis';
import { checkAlertRules } from '@vigil/alerts';
import type { DriftService } from '@vigil/drift';
import { CompletenessService, type MonitoringService } from '@vigil/monitoring';
import { queueNames } from '@vigil/queue';
import { evaluateCondition, type AlertSources } from '../src/conditions';
import { createAlertSources } from '../src/runtime/alert-sources';

const RULE = checkAlertRules({ rules: [{ name: 'records_missing', kind: 'records_missing', threshold: 0, for: '2m', severity: 'critical' }] }).rules[0]!;

/** Sources where only recordsMissing matters; the rest would fail the test if read. */
function sources(recordsMissing?: () => Promise<number>): AlertSources {
  const unused = () => Promise.reject(new Error('not read by records_missing'));
  return {
    latency: unused,
    distribution: unused,
    referenceFraudRate: 0,
    drift: unused,
    requests: unused,
    queueWaiting: unused,
    auditLagSeconds: unused,
    deadLetters: unused,
    ...(recordsMissing === undefined ? {} : { recordsMissing }),
  };
}

describe('the records_missing rule', function () {
  it('breaches when any record is missing, holds at 0, and gives no verdict without a completeness source', async function () {
    expect(
      await evaluateCondition(
        RULE,
        sources(async () => 0),
      ),
    ).to.deep.equal({ value: 0, breached: false });
    expect(
      await evaluateCondition(
        RULE,
        sources(async () => 3),
      ),
    ).to.deep.equal({ value: 3, breached: true });
    expect(await evaluateCondition(RULE, sources())).to.deep.equal({ value: null, breached: false });
  });

  it('reads the missing total of the completeness service the worker wires in', async function () {
    const now = Date.now();
    const completeness = new CompletenessService(
      {
        ranges: async () => [{ instance_id: 'api-a', kind: 'stored', ranges: [[1, 8]] }],
        reports: async () => [{ instance_id: 'api-a', served: 10, backlog: 0, buffered: 0, in_flight: 0, at: now - 300_000, history: [] }],
      },
      60_000,
      () => now,
    );
    // A client that never connects: building the sources opens nothing, and records_missing needs no Redis of its own.
    const connection = new Redis({ lazyConnect: true, enableOfflineQueue: false });
    const { sources: wired, close } = createAlertSources({
      monitoring: {} as MonitoringService,
      drift: { reference: { probabilities: [0.1, 0.9] } } as unknown as DriftService,
      spec: { threshold: 0.5 },
      connection,
      names: queueNames('test-records-missing'),
      evaluationIntervalMs: 15_000,
      auditBacklog: undefined,
      deadLetters: { count: async () => 0 },
      completeness,
    });
    try {
      expect(await wired.recordsMissing?.()).to.equal(2);
      expect(await evaluateCondition(RULE, wired)).to.deep.equal({ value: 2, breached: true });
    } finally {
      await close();
      connection.disconnect();
    }
  });
});
