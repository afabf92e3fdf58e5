export { configError, loadConfig } from './load-config';
export type { Config, ConfigErrorCode } from './load-config';
export { VARIABLES } from './variables';
export type { VariableDefinition, VariableKey } from './variables';
export { runService } from './run-service';
