import { expect } from 'chai';
import { traceIdOf } from '../src/index';

describe('traceIdOf: the trace id of a W3C traceparent header', () => {
  const id = '4bf92f3577b34da6a3ce929d0e0e4736';
  it('reads a valid version-00 header (the spec’s own example)', () => {
    expect(traceIdOf(`00-${id}-00f067aa0ba902b7-01`)).to.equal(id);
    expect(traceIdOf(`00-${id}-00f067aa0ba902b7-00`)).to.equal(id);
  });
  it('reads a later version with extra fields', () => {
    expect(traceIdOf(`01-${id}-00f067aa0ba902b7-01-future`)).to.equal(id);
  });
  it('ignores what the spec calls invalid', () => {
    for (const header of [
      undefined,
      '',
      `ff-${id}-00f067aa0ba902b7-01`,
      `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`,
      `00-${id}-${'0'.repeat(16)}-01`,
      `00-${id}-00f067aa0ba902b7-01-extra`,
      `00-${id.toUpperCase()}-00f067aa0ba902b7-01`,
      `00-${id.slice(1)}-00f067aa0ba902b7-01`,
      ['a', 'b'],
    ]) {
      expect(traceIdOf(header), String(header)).to.equal(undefined);
    }
  });
});
