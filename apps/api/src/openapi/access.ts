import type { SecurityOptions } from '../security/security-options';
import type { SecurityRequirement, SecuritySchemeObject } from './openapi-types';

/**
 * Who may call a route, by the check create-app puts in front of it:
 * - `predict`, `feedback`: bearerAuth on POST /predict and POST /feedback;
 * - `read`, `write`: accessGuard on /monitoring and /admin (GET reads, anything else writes);
 * - `open`: no key; `probe`: no key and never rate limited (/healthz, /readyz).
 */
export type Area = 'predict' | 'feedback' | 'read' | 'write' | 'open' | 'probe';

/** This server's keys as the document shows them: a requirement per area, and the schemes in use. */
export interface DocumentedAccess {
  requirement(area: Area): readonly SecurityRequirement[];
  readonly schemes: Readonly<Record<string, SecuritySchemeObject>>;
  /** The variables of the keys that are set (PREDICT_API_KEY…). */
  readonly variables: readonly string[];
}

/**
 * The same rules as access-keys.ts and create-app: the feedback key falls
 * back to the predict key; reads need the read key (or the admin key) once a
 * read key is set; writes need the admin key, or the read key while no admin
 * key is set; with neither, /monitoring and /admin are open.
 */
export function documentedAccess(security: SecurityOptions): DocumentedAccess {
  const { predictApiKey, feedbackApiKey, monitoringApiKey, adminApiKey } = security;
  const schemes: Record<string, SecuritySchemeObject> = {};
  const variables: string[] = [];
  const add = (name: string, variable: string, use: string) => {
    schemes[name] = { type: 'http', scheme: 'bearer', description: `${variable}: ${use}.` };
    variables.push(variable);
  };
  if (predictApiKey !== undefined)
    add('predictKey', 'PREDICT_API_KEY', `POST /predict${feedbackApiKey === undefined ? ', and POST /feedback (no FEEDBACK_API_KEY is set)' : ''}`);
  if (feedbackApiKey !== undefined) add('feedbackKey', 'FEEDBACK_API_KEY', 'POST /feedback');
  if (monitoringApiKey !== undefined) {
    const writes = adminApiKey === undefined ? ', and the writes too while ADMIN_API_KEY is unset' : '';
    add('monitoringKey', 'MONITORING_API_KEY', `the read key, every GET under /monitoring and /admin${writes}`);
  }
  if (adminApiKey !== undefined) add('adminKey', 'ADMIN_API_KEY', 'the write key, for dead-letter replays and queue actions; it reads too');

  const only = (...names: string[]): SecurityRequirement[] => names.filter((name) => name in schemes).map((name) => ({ [name]: [] }));
  const requirements: Readonly<Record<Area, readonly SecurityRequirement[]>> = {
    predict: only('predictKey'),
    feedback: feedbackApiKey !== undefined ? only('feedbackKey') : only('predictKey'),
    // Reads are open while no read key is set, even with an admin key.
    read: monitoringApiKey === undefined ? [] : only('monitoringKey', 'adminKey'),
    write: adminApiKey !== undefined ? only('adminKey') : only('monitoringKey'),
    open: [],
    probe: [],
  };
  return { requirement: (area) => requirements[area], schemes, variables };
}
