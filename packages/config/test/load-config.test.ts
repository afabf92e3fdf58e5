import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { loadConfig, VARIABLES } from '@vigil/config';

describe('loadConfig', function () {
  it('gives the documented defaults', function () {
    const config = loadConfig({});
    expect(config).to.include({ port: 8000, redisUrl: 'redis://127.0.0.1:6379', sqlitePath: 'artifacts/monitoring.db', predictionLogging: true });
    expect(config.auditDatabaseUrl).to.equal(undefined);
    expect(config.modelSpecPath).to.equal('artifacts/model.spec.json');
    expect(Object.isFrozen(config)).to.equal(true);
  });

  it('names every bad variable and what it expected, and never shows a password', function () {
    expect(() => loadConfig({ PORT: 'eighty', PREDICTION_LOGGING: 'maybe', AUDIT_DATABASE_URL: 'mysql://u:secret@h/db' }))
      .to.throw(
        /PORT="eighty": expected an integer from 0 to 65535[\s\S]*AUDIT_DATABASE_URL="mysql:\/\/u:\*\*\*@h\/db": expected a URL[\s\S]*PREDICTION_LOGGING="maybe": expected on or off/,
      )
      .and.satisfy((error: Error) => !error.message.includes('secret'));
  });

  it('turns logging off with PREDICTION_LOGGING=off', function () {
    expect(loadConfig({ PREDICTION_LOGGING: 'off' }).predictionLogging).to.equal(false);
  });

  it('is documented: the README names every variable', function () {
    const readme = readFileSync('README.md', 'utf8');
    for (const definition of Object.values(VARIABLES)) expect(readme, definition.name).to.include('`' + definition.name + '`');
  });
});
