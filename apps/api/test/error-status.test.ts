import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { ERROR_STATUS } from '../src/error-status';

/** The rows of the README's error table: code → status, in the order written. */
function documentedCodes(): Map<string, number> {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('### Errors'), readme.indexOf('## Configuration'));
  const rows = new Map<string, number>();
  for (const match of section.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)) rows.set(match[1]!, Number(match[2]));
  return rows;
}

describe('error catalogue', () => {
  it('documents every code with the status the API answers, and no code the API does not have', () => {
    const documented = documentedCodes();
    expect(documented.size, 'README error table rows').to.be.greaterThan(10);
    expect(Object.fromEntries(documented)).to.deep.equal({ ...ERROR_STATUS });
  });

  it('keeps client faults in 4xx and faults of ours in 5xx', () => {
    for (const [code, status] of Object.entries(ERROR_STATUS)) expect(status, code).to.be.within(400, 599);
    expect(ERROR_STATUS.INVALID_FEATURES).to.equal(422);
    // A drift statistic is computed over stored rows with the server's settings: never the client's fault.
    expect(ERROR_STATUS.INVALID_OPTION).to.equal(500);
  });
});
