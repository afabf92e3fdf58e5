import { expect } from 'chai';
import { CellGroups, type LabelState, type QualityCell } from '@vigil/quality';
import { seededUniform as random } from '../../../test/support/prng';

type Row = { group: number; bin: number; prediction: 0 | 1; label: LabelState; values: number[] };

describe('CellGroups', function () {
  const next = random(7);
  const labels: LabelState[] = ['unlabeled', 0, 1];
  // Groups revisited out of order (as a timeline's coarse keys, then its minute cells keyed up), bins and states repeated.
  const rows: Row[] = Array.from({ length: 3000 }, (_, i) => ({
    group: [5, 3, 5, 9][Math.floor(i / 750)]!,
    bin: Math.floor(next() * 40) * 50,
    prediction: next() < 0.5 ? 0 : 1,
    label: labels[Math.floor(next() * 3)]!,
    values: [1 + Math.floor(next() * 5), next(), next() ** 2, (1 - next()) ** 2, Math.log(next()), Math.log(1 - next())],
  }));
  const groups = new CellGroups();
  for (const r of rows) groups.add(r.group, r.bin, r.prediction, r.label, ...(r.values as [number, number, number, number, number, number]));

  it('sums each (bin, prediction, label) of each group, groups increasing, cells in (bin, prediction, label) order', function () {
    expect(groups.keys()).to.deep.equal([3, 5, 9]);
    const rank = (c: QualityCell) => c.bin * 6 + c.prediction * 3 + (c.label === 'unlabeled' ? 0 : c.label + 1);
    for (const group of groups.keys()) {
      const expected = new Map<string, number[]>();
      for (const r of rows.filter((r) => r.group === group)) {
        const key = `${r.bin}|${r.prediction}|${r.label}`;
        const sums = expected.get(key) ?? [0, 0, 0, 0, 0, 0];
        r.values.forEach((v, i) => (sums[i]! += v));
        expected.set(key, sums);
      }
      const cells = groups.cells(group);
      expect(cells.map(rank)).to.deep.equal([...cells.map(rank)].sort((a, b) => a - b));
      expect(cells.length).to.equal(expected.size);
      for (const c of cells) {
        const sums = expected.get(`${c.bin}|${c.prediction}|${c.label}`)!;
        expect(c.count).to.equal(sums[0]);
        [c.sum_p, c.sum_p2, c.sum_q2, c.sum_log_p, c.sum_log_q].forEach((v, i) => expect(v).to.be.closeTo(sums[i + 1]!, 1e-9));
      }
    }
    expect(groups.cells(4)).to.deep.equal([]);
  });
});
