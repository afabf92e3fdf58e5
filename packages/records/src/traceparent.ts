/** version-traceid-parentid-flags, each lowercase hex; a later version may append fields after another dash. */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/**
 * The trace id of a W3C Trace Context `traceparent` header, or undefined when there is
 * none or it is not valid (https://www.w3.org/TR/trace-context/#traceparent-header):
 * version ff, an all-zero trace or parent id, or extra fields on version 00 make it invalid,
 * and an invalid header is ignored, never an error (the spec says to start a new trace).
 */
export function traceIdOf(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = TRACEPARENT.exec(header.trim());
  if (match === null) return undefined;
  const [, version, traceId, parentId, , rest] = match;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (/^0+$/.test(traceId as string) || /^0+$/.test(parentId as string)) return undefined;
  return traceId;
}
