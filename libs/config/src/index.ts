export { ConfigError } from './errors.ts';
export { MASK, maskUrl, maskUrlsIn } from './mask.ts';
export { LOCAL_POSTGRES, deployEnvSchema, localDatabaseUrl, type DeployEnv } from './fields.ts';
export { parseEnv, type Env } from './parse-env.ts';
export { ISOLATE_VARIABLE, isolatedDevEnv, isolatedEnv, isolationName } from './isolate.ts';
export { buildPostgresUrl, type PostgresParts } from './postgres-url.ts';
export type { DatabaseConfig, LoadOptions, ModuleName } from './modules/database-config.ts';
export { MODULES, loadDatabaseConfig } from './modules/index.ts';
export { RAG_DEFAULT_DATABASE, loadRagDatabaseConfig, ragEnvSchema } from './modules/rag.ts';
export {
  CHAT_DATABASE_VARIABLES,
  CHAT_DEFAULT_DATABASE,
  chatEnvSchema,
  loadChatDatabaseConfig,
  type ChatDatabaseConfig,
} from './modules/chat.ts';
export {
  USER_DEFAULT_DATABASE,
  loadUserConfig,
  loadUserDatabaseConfig,
  userDatabaseEnvSchema,
  userEnvSchema,
  type UserConfig,
} from './modules/user.ts';
export { OS_DEFAULT_DATABASE, loadOsDatabaseConfig, osEnvSchema, type OsDatabaseConfig } from './modules/os.ts';
export { WAREHOUSE_DEFAULT_DATABASE, loadWarehouseDatabaseConfig, warehouseDatabaseEnvSchema } from './modules/warehouse.ts';
export {
  ACTIVE_USER_CACHE_MAX_SECONDS,
  activeUserCacheSeconds,
  httpAuthEnvSchema,
  loadHttpAuthConfig,
  type HttpAuthConfig,
} from './modules/http-auth.ts';
export {
  loadPipelineConfig,
  pipelineEnvSchema,
  type PipelineConfig,
  type PipelineEnv,
  type VectorIndexSettings,
  type VertexResourceNames,
  type WarehouseSettings,
} from './modules/pipeline.ts';
export {
  busEnvSchema,
  loadBusConfig,
  loadRuntimeConfig,
  runtimeEnvSchema,
  type BusConfig,
  type BusSettings,
  type PubSubSettings,
  type PushAuthSettings,
  type RuntimeConfig,
} from './modules/runtime.ts';
