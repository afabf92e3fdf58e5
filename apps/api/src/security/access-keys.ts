import { keyMatcher } from './presented-key';

/** What a request to /monitoring or /admin needs: to read, or to change something (replay, retry, clean, pause). */
export type Access = 'read' | 'admin';

/** The two keys; field names match the validated `Config`, so start-api can pass `config` itself. */
export interface AccessKeyOptions {
  /** The read key: /monitoring, and reads under /admin. */
  readonly monitoringApiKey?: string | undefined;
  /** The write key: changes under /admin; it reads too. */
  readonly adminApiKey?: string | undefined;
}

/** Decides what a presented key may do, under the compatibility rule below. */
export interface AccessKeys {
  /** True when `needed` asks for no key at all. */
  open(needed: Access): boolean;
  /** What the presented key grants: undefined when it is neither key (or absent). */
  grant(presented: string | undefined): Access | undefined;
}

/** The access a method needs: the safe methods read, everything else writes. */
export function accessFor(method: string): Access {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS' ? 'read' : 'admin';
}

/**
 * The read/write split of MONITORING_API_KEY and ADMIN_API_KEY:
 *  - the admin key grants everything;
 *  - the monitoring key grants reading, and writing too while no admin key is
 *    set (as before the split; start-up warns, and production refuses it);
 *  - reads are open while no monitoring key is set, writes while neither is.
 * Both keys are compared as digests in constant time (presented-key.ts).
 */
export function accessKeys(options: AccessKeyOptions): AccessKeys {
  const { monitoringApiKey, adminApiKey } = options;
  for (const [name, key] of [
    ['monitoringApiKey', monitoringApiKey],
    ['adminApiKey', adminApiKey],
  ] as const) {
    if (key !== undefined && (typeof key !== 'string' || key.length === 0)) throw new RangeError(`accessKeys: ${name} must be a non-empty string when given`);
  }
  const isAdmin = adminApiKey === undefined ? () => false : keyMatcher(adminApiKey);
  const isReader = monitoringApiKey === undefined ? () => false : keyMatcher(monitoringApiKey);
  const readerAccess: Access = adminApiKey === undefined ? 'admin' : 'read';
  return {
    open: (needed) => monitoringApiKey === undefined && (needed === 'read' || adminApiKey === undefined),
    grant(presented) {
      if (presented === undefined) return undefined;
      // Both are always compared, so the time taken does not say which key matched.
      const admin = isAdmin(presented);
      const reader = isReader(presented);
      if (admin) return 'admin';
      return reader ? readerAccess : undefined;
    },
  };
}

/** What start-up should warn about; empty when the keys are split as intended. */
export function accessWarnings(options: AccessKeyOptions): string[] {
  if (options.monitoringApiKey !== undefined && options.adminApiKey === undefined) {
    return [
      'ADMIN_API_KEY is not set: MONITORING_API_KEY also replays dead letters and acts on the queue board; set ADMIN_API_KEY to keep the read key read-only',
    ];
  }
  return [];
}
