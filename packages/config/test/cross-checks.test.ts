import { expect } from 'chai';
import { configError, loadConfig } from '@vigil/config';

describe('loadConfig cross-variable rules', function () {
  it('refuses MONITORING_STORE=postgres without AUDIT_DATABASE_URL, naming both variables', function () {
    expect(() => loadConfig({ MONITORING_STORE: 'postgres' }))
      .to.throw(/AUDIT_DATABASE_URL: required when MONITORING_STORE=postgres/)
      .with.property('code', 'CONFIG_INVALID');
  });

  it('takes MONITORING_STORE=postgres with an audit URL, and sqlite without one', function () {
    const url = 'postgres://postgres@127.0.0.1:5432/test';
    expect(loadConfig({ MONITORING_STORE: 'postgres', AUDIT_DATABASE_URL: url })).to.include({ monitoringStore: 'postgres', auditDatabaseUrl: url });
    expect(loadConfig({ MONITORING_STORE: 'sqlite' }).monitoringStore).to.equal('sqlite');
  });

  it('does not judge the rule again when AUDIT_DATABASE_URL failed its own parse', function () {
    let problems: string[] = [];
    try {
      loadConfig({ MONITORING_STORE: 'postgres', AUDIT_DATABASE_URL: 'mysql://h/db' });
    } catch (error) {
      problems = (error as { details: { problems: string[] } }).details.problems;
    }
    expect(problems).to.have.length(1);
    expect(problems[0]).to.match(/^AUDIT_DATABASE_URL="mysql:\/\/h\/db": expected a URL/);
  });

  describe('ADMIN_API_KEY (the write key)', function () {
    const read = 'read-key-0123456789abcdef';
    const admin = 'admin-key-0123456789abcdef';
    const predict = 'predict-key-0123456789abcdef';
    const problemsOf = (env: Record<string, string>): string[] => {
      try {
        loadConfig(env);
        return [];
      } catch (error) {
        return (error as { details: { problems: string[] } }).details.problems;
      }
    };

    it('is required when NODE_ENV=production, beside MONITORING_API_KEY; both given, production starts', function () {
      expect(problemsOf({ NODE_ENV: 'production', MONITORING_API_KEY: read })).to.deep.equal([
        'ADMIN_API_KEY: required when NODE_ENV=production (without it MONITORING_API_KEY also replays dead letters and acts on the queue)',
      ]);
      const both = problemsOf({ NODE_ENV: 'production' });
      expect(both).to.have.length(2);
      expect(both[0]).to.match(/^MONITORING_API_KEY: required when NODE_ENV=production/);
      expect(both[1]).to.match(/^ADMIN_API_KEY: required when NODE_ENV=production/);
      expect(loadConfig({ NODE_ENV: 'production', MONITORING_API_KEY: read, ADMIN_API_KEY: admin })).to.include({
        monitoringApiKey: read,
        adminApiKey: admin,
      });
    });

    it('is optional elsewhere: unset, the read key keeps allowing the writes (start-up warns)', function () {
      expect(loadConfig({ MONITORING_API_KEY: read }).adminApiKey).to.equal(undefined);
      expect(loadConfig({ ADMIN_API_KEY: admin }).monitoringApiKey).to.equal(undefined);
    });

    it('must differ from MONITORING_API_KEY and from PREDICT_API_KEY, in any environment, without showing the key', function () {
      const sameAsRead = problemsOf({ MONITORING_API_KEY: admin, ADMIN_API_KEY: admin });
      expect(sameAsRead).to.deep.equal(['ADMIN_API_KEY: must differ from MONITORING_API_KEY (the read key would otherwise also allow the writes)']);
      const sameAsPredict = problemsOf({ MONITORING_API_KEY: read, PREDICT_API_KEY: admin, ADMIN_API_KEY: admin });
      expect(sameAsPredict).to.deep.equal([
        'ADMIN_API_KEY: must differ from PREDICT_API_KEY (a /predict client could otherwise replay dead letters and act on the queue)',
      ]);
      expect(() => loadConfig({ NODE_ENV: 'production', MONITORING_API_KEY: admin, ADMIN_API_KEY: admin }))
        .to.throw(/ADMIN_API_KEY: must differ from MONITORING_API_KEY/)
        .and.satisfy((error: Error) => !error.message.includes(admin));
      expect(loadConfig({ MONITORING_API_KEY: read, PREDICT_API_KEY: predict, ADMIN_API_KEY: admin }).adminApiKey).to.equal(admin);
    });

    it('is a secret: a bad one is shown by its length only, and the production rule is not judged again', function () {
      const problems = problemsOf({ NODE_ENV: 'production', MONITORING_API_KEY: read, ADMIN_API_KEY: 'short' });
      expect(problems).to.deep.equal(['ADMIN_API_KEY=<secret, 5 characters>: expected 16 to 4096 visible ASCII characters without spaces (got 5 characters)']);
    });
  });

  it('builds every CONFIG_INVALID the same way: one problem a line, details kept', function () {
    const error = configError(['A: one', 'B: two'], { variable: 'A' });
    expect(error.code).to.equal('CONFIG_INVALID');
    expect(error.message).to.equal('Invalid configuration:\n  A: one\n  B: two');
    expect(error.details).to.deep.equal({ variable: 'A', problems: ['A: one', 'B: two'] });
  });
});
