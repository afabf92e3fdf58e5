import { expect } from 'chai';
import { useTestApps, type ErrorBody } from './support/test-app';

// An app built without a quality reader (start-api always has one, from either store) says so;
// the end-to-end figures are tested in test/e2e/performance.test.ts.
describe('GET /monitoring/performance without a quality reader', function () {
  const apps = useTestApps();

  it('answers 503 NOT_READY, after checking the parameters (a bad one is still a 400)', async function () {
    const app = await apps.api({ performance: undefined });
    for (const path of ['/monitoring/performance?window=7d', '/monitoring/performance/timeline?window=30d&bucket=1d']) {
      const answer = await app.request<ErrorBody>('GET', path);
      expect(answer.status, path).to.equal(503);
      expect(answer.body.error.code, path).to.equal('NOT_READY');
      expect(answer.body.error.message, path).to.match(/no quality reader/);
    }
    const bad = await app.request<ErrorBody>('GET', '/monitoring/performance?threshold=2');
    expect(bad.status).to.equal(400);
    expect(bad.body.error.details).to.deep.include({ parameter: 'threshold' });
  });
});
