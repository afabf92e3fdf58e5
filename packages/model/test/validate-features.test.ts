import { expect } from 'chai';
import { checkModelSpec, encodedWidth, encodeInto, findFeatureProblems, type ModelSpec } from '@vigil/model';

const spec: ModelSpec = checkModelSpec(
  {
    model_version: 'm@1',
    input_name: 'features',
    output_name: 'probability',
    threshold: 0.5,
    features: [
      { name: 'amount', type: 'number', min: 0, max: 100 },
      { name: 'count', type: 'integer', min: 0, max: 10 },
      { name: 'present', type: 'boolean' },
      { name: 'kind', type: 'categorical', categories: ['a', 'b', 'c'] },
    ],
  },
  'test',
);

describe('findFeatureProblems', function () {
  it('accepts a valid record', function () {
    expect(findFeatureProblems(spec, { amount: 5.5, count: 3, present: true, kind: 'b' }, 'features')).to.deep.equal([]);
  });

  it('reports every problem with its path', function () {
    const problems = findFeatureProblems(spec, { amount: 500, count: 1.5, present: 'yes', kind: 'z', extra: 1 }, 'features');
    expect(problems.map((p) => p.path)).to.deep.equal(['features.amount', 'features.count', 'features.present', 'features.kind', 'features.extra']);
  });

  it('reports missing features and non-finite numbers', function () {
    const problems = findFeatureProblems(spec, { amount: Infinity, present: false, kind: 'a' }, 'instances[2]');
    expect(problems).to.deep.equal([
      { path: 'instances[2].amount', problem: 'expected a finite number' },
      { path: 'instances[2].count', problem: 'missing' },
    ]);
  });

  it('rejects non-objects', function () {
    for (const bad of [null, [], 'x', 3]) expect(findFeatureProblems(spec, bad, 'features')).to.have.length(1);
  });
});

describe('encodeInto', function () {
  it('writes numbers as they are, booleans as 1/0, categoricals one-hot, in spec order', function () {
    expect(encodedWidth(spec)).to.equal(6);
    const out = new Float32Array(12);
    encodeInto(spec, { amount: 5.5, count: 3, present: true, kind: 'c' }, out, 6);
    expect(Array.from(out.slice(6))).to.deep.equal([5.5, 3, 1, 0, 0, 1]);
  });
});

describe('checkModelSpec', function () {
  it('fails fast naming the field', function () {
    expect(() =>
      checkModelSpec({ model_version: 'm', input_name: 'x', output_name: 'y', threshold: 0.5, features: [{ name: 'a', type: 'number', min: 2, max: 1 }] }, 's'),
    ).to.throw(/features\[0\] needs numeric min <= max/);
    expect(() => checkModelSpec({ model_version: 'm', input_name: 'x', output_name: 'y', threshold: 2, features: [] }, 's')).to.throw(/threshold/);
  });
});
