import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, renameSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskSpool } from '@vigil/prediction-log';
import { predictionRecord } from '../../../test/support/fixtures/prediction-records';

/** A record the spool test can recognise after the round trip: its features are just `{ n }`. */
const record = (n: number) => predictionRecord({ features: { n }, latency_ms: n });

function drain(spool: DiskSpool): number[] {
  const seen: number[] = [];
  for (const segment of spool.sealForReplay()) {
    for (const batch of spool.read(segment)) seen.push(...batch.records.map((r) => r.features.n as number));
    spool.remove(segment);
  }
  return seen;
}

describe('DiskSpool', function () {
  it('gives batches back in the order they were written, across segments', function () {
    const spool = new DiskSpool({ dir: mkdtempSync(join(tmpdir(), 'spool-')), maxBytes: 10 * 1024 * 1024, segmentBytes: 400 });
    for (let i = 0; i < 50; i++) expect(spool.append([record(2 * i), record(2 * i + 1)])).to.equal(true);
    expect(spool.hasBacklog).to.equal(true);
    expect(drain(spool)).to.deep.equal(Array.from({ length: 100 }, (_, i) => i));
    expect(spool.hasBacklog).to.equal(false);
    expect(spool.bytes).to.equal(0);
  });

  it('refuses appends past maxBytes instead of growing', function () {
    const spool = new DiskSpool({ dir: mkdtempSync(join(tmpdir(), 'spool-')), maxBytes: 1000 });
    let accepted = 0;
    for (let i = 0; i < 20; i++) if (spool.append([record(i)])) accepted += 1;
    expect(accepted).to.be.greaterThan(0).and.lessThan(20);
    expect(spool.bytes).to.be.at.most(1000);
    expect(drain(spool)).to.have.length(accepted);
  });

  it('survives a restart: a new process adopts the segments of one that is gone', function () {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    const first = new DiskSpool({ dir, maxBytes: 1024 * 1024 });
    first.append([record(1), record(2)]);
    first.close();
    // Pretend the writer was another process that has exited: give its segment a dead pid.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    const host = hostname().replace(/[^A-Za-z0-9_]/g, '_');
    for (const name of readdirSync(dir)) renameSync(join(dir, name), join(dir, name.replace(`-${host}.${process.pid}.`, `-${host}.${dead}.`)));
    const second = new DiskSpool({ dir, maxBytes: 1024 * 1024 });
    expect(second.hasBacklog).to.equal(true);
    expect(drain(second)).to.deep.equal([1, 2]);
  });

  it('leaves alone the segments of a live process', function () {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    const host = hostname().replace(/[^A-Za-z0-9_]/g, '_');
    const first = new DiskSpool({ dir, maxBytes: 1024 * 1024 });
    first.append([record(1)]);
    first.close();
    // pid 1 is always alive
    for (const name of readdirSync(dir)) renameSync(join(dir, name), join(dir, name.replace(`-${host}.${process.pid}.`, `-${host}.1.`)));
    const second = new DiskSpool({ dir, maxBytes: 1024 * 1024 });
    expect(second.hasBacklog).to.equal(false);
  });
});
