import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import { openSqlite } from '../open-sqlite';
import { SqliteWriter } from '../sqlite-writer';
import { insertFailure, type CloseRequest, type InsertReply, type InsertRequest, type InsertThreadData } from './insert-thread-messages';

// The insert thread: prediction batches arrive in columns and are written in
// arrival order, with the writer's own rollups, quality cells, label joins and
// seq ranges. Its own connection: the process's writer (labels, folding, the
// audit outbox) shares the file through WAL and the busy timeout, as two
// workers on one file always have.
const { path, port, maxBatchesPerTransaction } = workerData as InsertThreadData;
// Not SqliteWriter.open: the starting process has rebuilt the rollups and folded the quality lists already.
const writer = new SqliteWriter(openSqlite(path));

const reply = (message: InsertReply) => port.postMessage(message);

/** The requests in one transaction, all or none; if that fails, each alone, so one request's refused row fails that request only. */
function write(requests: readonly InsertRequest[]): void {
  try {
    const counts = writer.insertColumnBatches(requests.flatMap((r) => r.batches));
    let at = 0;
    for (const request of requests) {
      reply({ id: request.id, counts: counts.slice(at, at + request.batches.length) });
      at += request.batches.length;
    }
  } catch (error) {
    if (requests.length === 1) {
      reply({ id: requests[0]!.id, failure: insertFailure(error) });
      return;
    }
    for (const request of requests) write([request]);
  }
}

function close(): void {
  writer.close();
  port.close();
}

port.on('message', (first: InsertRequest | CloseRequest) => {
  if ('close' in first) return close();
  const requests = [first];
  let batches = first.batches.length;
  let closeAfter = false;
  // The ones that arrived meanwhile, taken now rather than one event each.
  while (batches < maxBatchesPerTransaction) {
    const next = receiveMessageOnPort(port)?.message as InsertRequest | CloseRequest | undefined;
    if (next === undefined) break;
    if ('close' in next) {
      closeAfter = true;
      break;
    }
    requests.push(next);
    batches += next.batches.length;
  }
  write(requests);
  if (closeAfter) close();
});
