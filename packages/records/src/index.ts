export { newPredictionId } from './prediction-record';
export type { PredictionRecord } from './prediction-record';
export { isFeatureObject, isInstanceId, isSequenceNumber, isTraceId, recordProblem, recordSequence } from './record-problem';
export { traceIdOf } from './traceparent';
export { isPredictionId, labelProblem, MAX_FEEDBACK_LABELS, normaliseIsoDateTime, readFeedback, readLabel } from './label-record';
export type { FeedbackShapeProblem, LabelProblem, LabelRecord } from './label-record';
