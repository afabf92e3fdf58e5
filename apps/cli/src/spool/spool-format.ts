import { formatBytes } from '../format/bytes';
import type { InstanceStatus, SpoolStatus } from './spool-status';

function destinationText(instance: InstanceStatus): string {
  const destination = instance.owner?.destination;
  if (destination === undefined) return 'no readable owner.json';
  return `queue ${destination.queue} on ${destination.redis}${destination.stream === undefined ? '' : `, stream ${destination.stream}`}`;
}

function leaseText(instance: InstanceStatus): string {
  if (instance.lease_age_ms === null) return 'no lease file';
  return `lease ${(instance.lease_age_ms / 1000).toFixed(1)} s old`;
}

function instanceLine(instance: InstanceStatus): string {
  const records = instance.records === null ? 'records unknown (old spool format)' : `${instance.records.toLocaleString('en')} record(s)`;
  const owner = instance.owner === null ? '' : `; ${instance.owner.host} pid ${instance.owner.pid}, started ${instance.owner.started_at}`;
  const flag = instance.foreign ? ' FOREIGN: not this deployment’s queue or Redis, no logger here replays it' : '';
  return (
    `  ${instance.stream}\t${instance.instance_id}\t${instance.state.toUpperCase()} (${leaseText(instance)})\t` +
    `${instance.segments} segment(s), ${formatBytes(instance.bytes)}, ${records}\t→ ${destinationText(instance)}${owner}${flag}`
  );
}

/** The status as an operator reads it: a summary, then one line per logger instance. */
export function formatSpoolStatus(status: SpoolStatus): string[] {
  const totals = status.totals;
  const here = status.destination;
  return [
    `SPOOL_DIR ${status.spool_dir}: ${totals.instances} logger instance(s), ${totals.live} live, ${totals.dead} dead ` +
      `(lease older than ${status.lease_ms / 1000} s), ${totals.foreign} foreign; ` +
      `${totals.segments} segment(s), ${formatBytes(totals.bytes)} waiting or in flight`,
    `this deployment: queue ${here.queue} on ${here.redis}`,
    ...status.instances.map(instanceLine),
  ];
}
