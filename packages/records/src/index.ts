export { newPredictionId } from './prediction-record';
export type { PredictionRecord } from './prediction-record';
export { isFeatureObject, isInstanceId, isSequenceNumber, recordProblem, recordSequence } from './record-problem';
