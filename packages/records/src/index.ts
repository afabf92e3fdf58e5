export { newPredictionId } from './prediction-record';
export type { PredictionRecord } from './prediction-record';
export { isFeatureObject, recordProblem } from './record-problem';
