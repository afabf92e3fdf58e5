import { VigilError } from '@vigil/errors';

export type MonitoringErrorCode = 'INVALID_QUERY_PARAMETER';

export class MonitoringError extends VigilError<MonitoringErrorCode> {
  constructor(code: MonitoringErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, details);
    this.name = 'MonitoringError';
  }
}
