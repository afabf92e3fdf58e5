import { Router, type Request } from 'express';
import type { LabelLogger } from '@vigil/prediction-log';
import { MAX_FEEDBACK_LABELS, readFeedback, type LabelRecord } from '@vigil/records';
import { ApiError } from '../api-errors';

export interface FeedbackRouteOptions {
  /** undefined when PREDICTION_LOGGING=off: there is no queue for labels either. */
  readonly logger: LabelLogger | undefined;
}

/** The labels of a POST /feedback, all good, or an error naming every bad field by its path (at most 50). */
function readLabels(req: Request): LabelRecord[] {
  if (!req.is('application/json')) {
    throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'POST /feedback takes Content-Type: application/json', {
      where: 'headers.content-type',
      received: String(req.headers['content-type'] ?? '').slice(0, 100),
    });
  }
  const { labels, problems, shape } = readFeedback(req.body, new Date().toISOString());
  if (shape?.kind === 'too-many') {
    throw new ApiError('TOO_MANY_LABELS', `"labels" may hold at most ${MAX_FEEDBACK_LABELS} items`, {
      where: 'labels',
      limit: MAX_FEEDBACK_LABELS,
      received: shape.received,
    });
  }
  if (shape !== undefined) throw new ApiError('INVALID_REQUEST', shape.message, { where: 'body' });
  if (problems.length > 0) {
    const first = problems[0]!;
    throw new ApiError('INVALID_LABELS', `Invalid feedback: ${first.path} ${first.problem}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`, {
      problems: problems.slice(0, 50),
    });
  }
  return labels;
}

export function feedbackRouter(options: FeedbackRouteOptions): Router {
  const router = Router();
  router.post('/feedback', (req, res) => {
    const labels = readLabels(req);
    const logger = options.logger;
    if (logger === undefined) {
      throw new ApiError('NOT_READY', 'Labels travel the prediction log; it is off here (PREDICTION_LOGGING=off)', { where: 'PREDICTION_LOGGING' });
    }
    // Journaled before we answer, like a prediction record: a crash from here on loses none of them.
    for (const label of labels) logger.log(label);
    res.status(202).json({
      accepted: labels.length,
      received_at: labels[0]?.received_at,
      labels: labels.map((l) => ({ prediction_id: l.prediction_id, label: l.label, labeled_at: l.labeled_at })),
    });
  });
  return router;
}
