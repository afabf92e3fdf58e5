import { registerDlqCommands } from './dlq/dlq-command';
import { registerDriftCommands } from './drift/drift-command';
import { registerExportCommand } from './export/export-command';
import { registerFeedbackCommands } from './feedback/feedback-command';
import { registerModelCommands } from './model/model-command';
import { registerPerformanceCommands } from './performance/performance-command';
import type { RegisterCommands } from './program/create-program';
import { registerQueueCommands } from './queue/queue-command';
import { registerSpoolCommands } from './spool/spool-command';

/** Every command group of `vigil`, in the order `vigil --help` lists them. */
export const VIGIL_COMMANDS: readonly RegisterCommands[] = [
  registerDlqCommands,
  registerQueueCommands,
  registerSpoolCommands,
  registerDriftCommands,
  registerPerformanceCommands,
  registerFeedbackCommands,
  registerModelCommands,
  registerExportCommand,
];
