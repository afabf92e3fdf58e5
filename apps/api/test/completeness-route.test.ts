import { expect } from 'chai';
import { Redis } from 'ioredis';
import { CompletenessService, type InstanceReportInput } from '@vigil/monitoring';
import { readInstanceReports } from '@vigil/queue';
import type { SeqRangeRow } from '@vigil/stores';
import { useTestApps, type ErrorBody } from './support/test-app';

const MONITORING_KEY = 'monitoring-key-0123456789abcdef';
const NOW = Date.now();

/** One instance that served 10, two minutes ago already, of which the store holds 1-4 and 6-10. */
const REPORT: InstanceReportInput = { instance_id: 'api-a', served: 10, backlog: 0, buffered: 0, in_flight: 0, at: NOW - 500, history: [[NOW - 120_000, 10]] };
const ROWS: SeqRangeRow[] = [
  {
    instance_id: 'api-a',
    kind: 'stored',
    ranges: [
      [1, 4],
      [6, 10],
    ],
  },
];

function service(reports: () => Promise<readonly InstanceReportInput[]> = async () => [REPORT]): CompletenessService {
  return new CompletenessService({ ranges: async () => ROWS, reports }, 60_000, () => NOW);
}

// The route as createApp wires it, in-process, over a stand-in completeness service (e2e: test/e2e/completeness.test.ts).
describe('GET /monitoring/completeness', function () {
  const apps = useTestApps();

  it('answers per instance and in total, with the grace given or the configured one', async function () {
    const app = await apps.api({ completeness: service() });
    const answer = await app.request<{ grace_ms: number; totals: Record<string, number> }>('GET', '/monitoring/completeness');
    expect(answer.status).to.equal(200);
    expect(answer.body.grace_ms).to.equal(60_000);
    expect(answer.body.totals).to.include({ served: 10, stored: 9, missing: 1 });
    // A grace longer than the oldest history: seq 5 may still be on its way.
    const patient = await app.request<{ grace_ms: number; totals: Record<string, number> }>('GET', '/monitoring/completeness?grace=1h');
    expect(patient.body.grace_ms).to.equal(3_600_000);
    expect(patient.body.totals).to.include({ missing: 0, in_flight: 1 });
  });

  it('answers a bad grace or an unknown parameter 400 INVALID_QUERY_PARAMETER, naming it', async function () {
    const app = await apps.api({ completeness: service() });
    for (const [query, parameter] of [
      ['?grace=forever', 'grace'],
      ['?grace=61m', 'grace'],
      ['?grace=1s&grace=2s', 'grace'],
      ['?limit=5', 'limit'],
    ] as const) {
      const answer = await app.request<ErrorBody>('GET', `/monitoring/completeness${query}`);
      expect(answer.status, query).to.equal(400);
      expect(answer.body.error).to.deep.include({ code: 'INVALID_QUERY_PARAMETER' });
      expect(answer.body.error.details.parameter, query).to.equal(parameter);
    }
  });

  it('answers 503 NOT_READY without instance reports: prediction logging off, or Redis away', async function () {
    const off = await apps.api();
    const none = await off.request<ErrorBody>('GET', '/monitoring/completeness');
    expect(none.status).to.equal(503);
    expect(none.body.error.code).to.equal('NOT_READY');
    // The real reader over a client that is not connected (it never is here): what the API meets while Redis is away.
    const disconnected = new Redis({ lazyConnect: true, enableOfflineQueue: false });
    const away = await apps.api({ completeness: service(() => readInstanceReports(disconnected, 'vigil:test:instances')) });
    const answer = await away.request<ErrorBody>('GET', '/monitoring/completeness');
    expect(answer.status).to.equal(503);
    expect(answer.body.error.message).to.match(/Redis is not connected/);
  });

  it('is behind the monitoring key like every /monitoring route', async function () {
    const app = await apps.api({ completeness: service(), security: { monitoringApiKey: MONITORING_KEY } });
    expect((await app.request<ErrorBody>('GET', '/monitoring/completeness')).status).to.equal(401);
    expect((await app.request('GET', '/monitoring/completeness', undefined, { authorization: `Bearer ${MONITORING_KEY}` })).status).to.equal(200);
  });
});
