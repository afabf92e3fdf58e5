import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createPredictionLogger, type ForeignJournal, type JournalDestination, type PredictionLogger } from '@vigil/prediction-log';
import type { PredictionRecord } from '@vigil/records';
import { predictionRecords } from '../../../test/support/fixtures/prediction-records';
import { adoptedIds, ageLease, instanceDir, instanceIds, journaledRecords, segmentFiles } from '../../../test/support/journal-dirs';
import { useTempDirs } from '../../../test/support/temp-dirs';

/** A client that never dials: every enqueue fails at once, so what is journaled stays on disk for the test to look at. */
function neverConnected(): Redis {
  const connection = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  connection.on('error', () => undefined);
  return connection;
}

const TENANT_A: JournalDestination = { queue: 'tenant-a', redis: 'redis-a:6379/0' };
const ids = (records: readonly PredictionRecord[]) => records.map((r) => r.prediction_id);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, check: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('the prediction journal: adoption by lease and destination', function () {
  const tempDir = useTempDirs();
  let connection: Redis;
  const loggers: PredictionLogger[] = [];
  beforeEach(function () {
    connection = neverConnected();
  });
  afterEach(async function () {
    await Promise.all(loggers.splice(0).map((logger) => logger.close()));
    connection.disconnect();
  });

  /** A logger on `dir` with a short lease (heartbeat every 250 ms), closed after the test. */
  function logger(dir: string, instanceId: string, destination = TENANT_A, events: Parameters<typeof createPredictionLogger>[0]['events'] = {}) {
    const made = createPredictionLogger({
      connection,
      queueName: destination.queue,
      instanceId,
      destination,
      maxBatchRecords: 5,
      maxBatchWaitMs: 60_000,
      journal: { dir, maxBytes: 10 * 1024 * 1024, leaseMs: 1000 },
      events,
    });
    loggers.push(made);
    return made;
  }

  /**
   * A dead instance's directory, written by a real logger: it journals
   * `records` (Redis never answers, so all stay), stops, and its lease is
   * set to look refreshed just now: it will look dead once `ageLease` says so.
   */
  async function deadInstance(dir: string, instanceId: string, records: PredictionRecord[], destination = TENANT_A): Promise<string> {
    const dying = logger(dir, instanceId, destination);
    for (const record of records) dying.log(record);
    await dying.close();
    loggers.splice(loggers.indexOf(dying), 1);
    const own = instanceDir(dir, instanceId);
    ageLease(own, 0);
    return own;
  }

  it("adopts a dead instance's journal of its destination once the lease is stale, whatever host or pid wrote it; leaves a live one", async function () {
    const dir = tempDir('adopt');
    const records = predictionRecords(12);
    const dead = await deadInstance(dir, 'dead-1', records);
    // Written on another host, by a pid that may well be alive here: neither matters any more.
    const owner = JSON.parse(readFileSync(join(dead, 'owner.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dead, 'owner.json'), JSON.stringify({ ...owner, host: 'a-container-long-gone', pid: 1 }));
    expect(segmentFiles(dead)).to.have.length(3);

    const adopted: [string, number][] = [];
    const adopter = logger(dir, 'adopter-1', TENANT_A, { adopted: (id, segments) => adopted.push([id, segments]) });
    await sleep(500); // two heartbeats inside the lease
    expect(instanceIds(dir), 'a fresh lease is a live owner').to.deep.equal(['adopter-1', 'dead-1']);

    ageLease(dead, 60_000);
    await until('the adoption', () => adopted.length > 0);
    expect(adopted).to.deep.equal([['dead-1', 3]]);
    expect(instanceIds(dir)).to.deep.equal(['adopter-1']);
    const own = instanceDir(dir, 'adopter-1');
    expect(adoptedIds(own)).to.deep.equal(['dead-1']);
    expect(ids(journaledRecords(own))).to.deep.equal(ids(records));
    expect(journaledRecords(own).map((r) => r.instance_id)).to.deep.equal(records.map(() => 'dead-1'));
    // Bytes waiting, but none of this instance's own records: those are dead-1's.
    expect(adopter.health().backlogBytes).to.be.greaterThan(0);
    expect(adopter.progress().backlogRecords).to.equal(0);
  });

  it('is adopted exactly once when two live loggers race for it', async function () {
    const dir = tempDir('adopt-race');
    const records = predictionRecords(7);
    const dead = await deadInstance(dir, 'dead-2', records);
    const adopted: string[] = [];
    const foreign: ForeignJournal[] = [];
    const events = { adopted: (id: string) => adopted.push(id), foreignJournal: (f: ForeignJournal) => foreign.push(f) };
    const b = logger(dir, 'racer-b', TENANT_A, events);
    const c = logger(dir, 'racer-c', TENANT_A, events);
    // Both heartbeat every 250 ms; from now on each of them finds the lease stale.
    ageLease(dead, 60_000);
    await until('the adoption', () => adopted.length > 0);
    await sleep(750); // three more heartbeats each
    expect(adopted).to.deep.equal(['dead-2']);
    expect(foreign, 'the loser never mistakes the vanished directory for a foreign one').to.deep.equal([]);
    const winners = [b, c].filter((l) => adoptedIds(instanceDir(dir, l.instanceId)).includes('dead-2'));
    expect(winners).to.have.length(1);
    expect(ids(journaledRecords(instanceDir(dir, winners[0]!.instanceId)))).to.deep.equal(ids(records));
    expect(instanceIds(dir)).to.deep.equal(['racer-b', 'racer-c']);
  });

  it('is re-claimed from an adopter that died before replaying it, with everything it held', async function () {
    const dir = tempDir('adopt-again');
    const first = predictionRecords(6);
    const second = predictionRecords(4, { start: 100 });
    ageLease(await deadInstance(dir, 'dead-3', first), 60_000);
    // The adopter takes dead-3, cannot replay it (no Redis), journals records of its own, and goes away.
    const adopter = logger(dir, 'adopter-3');
    expect(adoptedIds(instanceDir(dir, 'adopter-3'))).to.deep.equal(['dead-3']);
    for (const record of second) adopter.log(record);
    await adopter.close();
    loggers.splice(loggers.indexOf(adopter), 1);

    const next = logger(dir, 'adopter-4');
    const own = instanceDir(dir, 'adopter-4');
    expect(adoptedIds(own)).to.deep.equal(['adopter-3']);
    expect(adoptedIds(join(own, 'adopted', 'adopter-3'))).to.deep.equal(['dead-3']);
    // Replay order: what adopter-3 had adopted, then adopter-3's own records.
    expect(ids(journaledRecords(own))).to.deep.equal(ids([...first, ...second]));
    expect(next.health().backlogBytes).to.be.greaterThan(0);
  });

  for (const [what, other] of [
    ['another queue on the same Redis', { queue: 'tenant-b', redis: TENANT_A.redis }],
    ['the same queue name on another Redis', { queue: TENANT_A.queue, redis: 'redis-b:6379/0' }],
  ] as const) {
    it(`reports, once, and leaves alone a dead journal of ${what}`, async function () {
      const dir = tempDir('foreign');
      const records = predictionRecords(8);
      const dead = await deadInstance(dir, 'tenant-a-api', records);
      ageLease(dead, 60_000);
      const foreign: ForeignJournal[] = [];
      const gauge: number[] = [];
      logger(dir, 'tenant-b-api', other, { foreignJournal: (f) => foreign.push(f), foreignSegments: (n) => gauge.push(n) });
      await sleep(800); // three more heartbeats
      expect(foreign).to.deep.equal([{ instanceId: 'tenant-a-api', destination: TENANT_A, segments: 2, dir: dead }]);
      expect(gauge).to.deep.equal([2]);
      expect(instanceIds(dir)).to.deep.equal(['tenant-a-api', 'tenant-b-api']);
      expect(ids(journaledRecords(dead)), 'untouched').to.deep.equal(ids(records));
      expect(adoptedIds(instanceDir(dir, 'tenant-b-api'))).to.deep.equal([]);

      // A logger of tenant-a's own deployment takes it; the other one's gauge goes back to 0.
      logger(dir, 'tenant-a-api-2', TENANT_A);
      await until('the gauge back at 0', () => gauge.at(-1) === 0);
      expect(ids(journaledRecords(instanceDir(dir, 'tenant-a-api-2')))).to.deep.equal(ids(records));
    });
  }

  it('adopts the files of the old DiskSpool layout only from this host and a pid that is gone (the upgrade path)', async function () {
    const dir = tempDir('legacy');
    const host = hostname().replace(/[^A-Za-z0-9_]/g, '_');
    const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
    const batchLine = (records: PredictionRecord[]) => JSON.stringify({ records }) + '\n';
    const older = predictionRecords(3);
    const newer = predictionRecords(2, { start: 10 });
    const mine = predictionRecords(2, { start: 20 });
    writeFileSync(join(dir, `000001700000000-000000-${host}.${dead}.ready`), batchLine(older.slice(0, 2)) + batchLine(older.slice(2)));
    writeFileSync(join(dir, `000001700000001-000001-${host}.${dead}.open`), batchLine(newer));
    // Our own pid: a previous process's (this version writes no such file), e.g. pid 1 in a restarted container.
    writeFileSync(join(dir, `000001700000002-000000-${host}.${process.pid}.ready`), batchLine(mine));
    const left = [`000001700000003-000000-${host}.1.ready`, `000001700000004-000000-another_host.${dead}.ready`];
    for (const name of left) writeFileSync(join(dir, name), batchLine(predictionRecords(1, { start: 30 })));

    const adopted: [string, number][] = [];
    const adopter = logger(dir, 'upgraded-1', TENANT_A, { adopted: (id, segments) => adopted.push([id, segments]) });
    expect(adopted).to.deep.equal([['legacy-spool', 3]]);
    const own = instanceDir(dir, 'upgraded-1');
    expect(ids(journaledRecords(own))).to.deep.equal(ids([...older, ...newer, ...mine]));
    // pid 1 is alive, and another host's files are that host's to replay.
    expect(readdirSync(dir).filter((name) => name.endsWith('.ready') || name.endsWith('.open'))).to.deep.equal(left);
    expect(adopter.health().backlogBytes).to.be.greaterThan(0);
    expect(existsSync(join(own, 'adopted', 'legacy'))).to.equal(true);
  });
});
