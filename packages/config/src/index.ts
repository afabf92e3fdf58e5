export { configError, loadConfig } from './load-config';
export type { Config, ConfigErrorCode } from './load-config';
export { parseRedisUrl, redisTopologyAddress } from './redis-url';
export type { RedisNodeAddress, RedisTopology } from './redis-url';
export { VARIABLES } from './variables';
export type { VariableDefinition, VariableKey } from './variables';
export type { TrustProxy } from './trust-proxy';
export { runService } from './run-service';
export type { StopOptions, StoppableService } from './run-service';
