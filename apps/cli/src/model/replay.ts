import { loadModel, findFeatureProblems, type FeatureRecord } from '@vigil/model';
import { ComparisonAccumulator, referencesBeside, type ModelComparison, type ModelReferences } from '@vigil/monitoring';
import type { StoredScoredRow } from '@vigil/stores';
import type { Progress } from '@vigil/progress';

/** Rows scored per session.run: big enough that a run's overhead vanishes, small enough to report progress often. */
const CHUNK = 512;

export interface ReplayInput {
  readonly candidatePath: string;
  readonly rows: Iterable<StoredScoredRow>;
  readonly champion: ModelReferences;
  readonly progress: Progress;
}

export interface ReplayResult {
  readonly candidate_version: string;
  readonly scored: number;
  /** Stored rows the candidate's spec refuses (a feature it lacks, a value past its range): not scored, not compared. */
  readonly refused: number;
  readonly comparisons: readonly (ModelComparison & { readonly champion_version: string; readonly shadow_version: string })[];
}

/**
 * Scores stored predictions' features through a candidate model and compares it with
 * the champion that served them, exactly as /monitoring/compare compares a live shadow.
 */
export async function replayCandidate(input: ReplayInput): Promise<ReplayResult> {
  const specPath = input.candidatePath.replace(/\.onnx$/i, '') + '.spec.json';
  const candidate = await loadModel({ modelPath: input.candidatePath, specPath });
  const names = candidate.spec.features.map((feature) => feature.name);
  const groups = new Map<string, ComparisonAccumulator>();
  let scored = 0;
  let refused = 0;
  try {
    const iterator = input.rows[Symbol.iterator]();
    for (;;) {
      // A chunk is read synchronously, then scored: the SQLite iterator is never left open across other statements.
      const chunk: { row: StoredScoredRow; record: FeatureRecord }[] = [];
      let next = iterator.next();
      while (!next.done) {
        const features = JSON.parse(next.value.features) as Record<string, FeatureRecord[string]>;
        const record = Object.fromEntries(names.filter((name) => Object.hasOwn(features, name)).map((name) => [name, features[name]])) as FeatureRecord;
        if (findFeatureProblems(candidate.spec, record, 'features').length === 0) chunk.push({ row: next.value, record });
        else refused += 1;
        if (chunk.length >= CHUNK) break;
        next = iterator.next();
      }
      if (chunk.length > 0) {
        const scores = await candidate.score(chunk.map((entry) => entry.record));
        chunk.forEach(({ row }, i) => {
          const score = scores[i];
          if (score === undefined) return;
          let group = groups.get(row.model_version);
          if (group === undefined) {
            group = new ComparisonAccumulator(row.model_version, candidate.version);
            groups.set(row.model_version, group);
          }
          group.add({
            champion_version: row.model_version,
            champion_probability: row.probability,
            champion_prediction: row.prediction,
            shadow_version: candidate.version,
            shadow_probability: score.probability,
            shadow_prediction: score.prediction,
            label: row.label,
          });
        });
        scored += chunk.length;
      }
      input.progress.update(scored + refused, `${scored} scored, ${refused} refused by the candidate's spec`);
      if (next.done) break;
    }
  } finally {
    await candidate.close();
  }
  const candidateReferences = referencesBeside(input.candidatePath);
  return {
    candidate_version: candidate.version,
    scored,
    refused,
    comparisons: [...groups.values()].map((group) => ({
      champion_version: group.championVersion,
      shadow_version: group.shadowVersion,
      ...group.result(input.champion, candidateReferences),
    })),
  };
}
