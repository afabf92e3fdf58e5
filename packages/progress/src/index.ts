export { createProgress } from './progress';
export type { Progress, ProgressStream } from './progress';
