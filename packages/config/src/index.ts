export { configError, loadConfig } from './load-config';
export type { Config, ConfigErrorCode } from './load-config';
export { VARIABLES } from './variables';
export type { VariableDefinition, VariableKey } from './variables';
export type { TrustProxy } from './trust-proxy';
export { runService } from './run-service';
export type { StopOptions, StoppableService } from './run-service';
