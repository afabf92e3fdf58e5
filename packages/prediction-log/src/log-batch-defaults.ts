/**
 * The batch limits when none are given, the same as the API's
 * LOG_BATCH_MAX_RECORDS and LOG_BATCH_MAX_WAIT_MS defaults (a test checks
 * they agree; see the README for why the wait is 100 ms).
 */
export const LOG_BATCH_DEFAULTS = Object.freeze({ maxRecords: 500, maxWaitMs: 100 });
