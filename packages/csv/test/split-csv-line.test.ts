import { expect } from 'chai';
import { splitCsvLine } from '../src/index';

describe('splitCsvLine', function () {
  it('splits fields with RFC 4180 quoting, trimmed; an open quote is no line', function () {
    expect(splitCsvLine('a, 1 ,2026-03-01T00:00:00Z')).to.deep.equal(['a', '1', '2026-03-01T00:00:00Z']);
    expect(splitCsvLine('"id,with,commas","1"')).to.deep.equal(['id,with,commas', '1']);
    expect(splitCsvLine('"say ""x""",0')).to.deep.equal(['say "x"', '0']);
    expect(splitCsvLine('"open,1')).to.equal(undefined);
    expect(splitCsvLine('')).to.deep.equal(['']);
  });
});
