/**
 * The contract between the label writer and the quality rollups: a label
 * became the current one for a prediction whose row is stored. Called in
 * the SQLite transaction that wrote it, so rollups and labels never part.
 * `previous` is the label it replaced (null: the prediction had none); it may
 * equal `label` (a later decision that agrees). A prediction row that
 * arrives after its label is reported the same way, previous null.
 */
export interface LabelJoin {
  readonly prediction_id: string;
  readonly previous: 0 | 1 | null;
  readonly label: 0 | 1;
  readonly prediction: { readonly timestamp: string; readonly model_version: string; readonly probability: number; readonly prediction: 0 | 1 };
}

export type LabelsJoinedHook = (changes: readonly LabelJoin[]) => void;

/** What runs when nobody maintains quality rollups: the joins are in the tables either way. */
export const NO_LABELS_JOINED_HOOK: LabelsJoinedHook = () => undefined;

/** A label whose prediction is not stored, for GET /monitoring/labels/unmatched. */
export interface UnmatchedLabel {
  readonly prediction_id: string;
  readonly label: 0 | 1;
  readonly labeled_at: string;
  /** When the first version of it arrived. */
  readonly received_at: string;
}

export interface UnmatchedLabels {
  readonly count: number;
  /** Oldest first: the ones waiting longest are the likeliest never to match. */
  readonly labels: readonly UnmatchedLabel[];
}

/** Reads of the labels that the API serves. */
export interface LabelReader {
  unmatchedLabels(limit: number): Promise<UnmatchedLabels>;
  close(): void;
}
