// Which of a prediction's label versions (the append-only labels table of migration 6) counts, for the
// readers over the audit: one home for the rules, so the quality cells and the unmatched listing agree.
//
// prediction_id is TEXT in labels (a label may name any id) and UUID in predictions. Lookups compare the
// UUID's text form, lower case as /predict issues it and SQLite stores it, so both stores match the same ids.

/** The TEXT form of the id of the prediction row `p`, for the label joins below. */
export const PREDICTION_ID_TEXT = 'p.prediction_id::text';

/**
 * A label's id as a UUID where it has the form /predict issues (lower case), else NULL, which matches no
 * prediction: a plain ::uuid cast would fail on a back-filled id and accept upper case, which SQLite does not match.
 * Comparing on the UUID column, not its text, lets the lookup use the predictions' unique index.
 */
export function asPredictionUuid(labelId: string): string {
  return `(CASE WHEN ${labelId} ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN ${labelId}::uuid END)`;
}

/**
 * The current label of `predictionId` (a TEXT expression), as alias.label and alias.labeled_at: the version
 * SQLite keeps (replacesLabel), the latest labeled_at, ties going to the version written later, which across
 * hosts is the later arrival (received_at, then id, the shipping order). Served by the labels_prediction index.
 */
export function currentLabelJoin(labels: string, predictionId: string, alias: string): string {
  return `LEFT JOIN LATERAL (
        SELECT l.label, l.labeled_at FROM ${labels} l WHERE l.prediction_id = ${predictionId}
        ORDER BY l.labeled_at DESC, l.received_at DESC, l.id DESC LIMIT 1
      ) ${alias} ON true`;
}

/**
 * The first-arriving version of the label of `predictionId` (received_at, then id), as alias.labeled_at and
 * alias.received_at: the version whose labeled_at SQLite's rollups count the label delay of. (On one host
 * they count the first version written, which differs only when a journal was replayed late; and a label
 * replaced while it still waited for its prediction is counted there by its replacement, as
 * SqliteQualityRollups.rebuildIfMissing notes: the audit cannot know when the prediction row was written.)
 */
export function firstLabelJoin(labels: string, predictionId: string, alias: string): string {
  return `LEFT JOIN LATERAL (
        SELECT l.labeled_at, l.received_at FROM ${labels} l WHERE l.prediction_id = ${predictionId}
        ORDER BY l.received_at, l.id LIMIT 1
      ) ${alias} ON true`;
}
