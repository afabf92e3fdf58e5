export { DeadLetterQueue, deadLetterQueueName } from './dead-letter-queue';
export type { DeadLetter, DeadLetterErrorCode, DeadLetterKind, DeadLetterSummary } from './dead-letter-queue';
