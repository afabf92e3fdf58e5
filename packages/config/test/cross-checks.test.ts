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

  it('builds every CONFIG_INVALID the same way: one problem a line, details kept', function () {
    const error = configError(['A: one', 'B: two'], { variable: 'A' });
    expect(error.code).to.equal('CONFIG_INVALID');
    expect(error.message).to.equal('Invalid configuration:\n  A: one\n  B: two');
    expect(error.details).to.deep.equal({ variable: 'A', problems: ['A: one', 'B: two'] });
  });
});
