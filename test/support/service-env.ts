// What a deploy file must give each service, checked with the services' own config loaders: the
// compose file, the Cloud Run catalogue and the GKE manifests all go through `checkServiceEnv`.
import {
  busEnvSchema,
  chatEnvSchema,
  httpAuthEnvSchema,
  loadBusConfig,
  loadHttpAuthConfig,
  loadPipelineConfig,
  loadRuntimeConfig,
  pipelineEnvSchema,
  ragEnvSchema,
  runtimeEnvSchema,
  userEnvSchema,
  type BusConfig,
  type Env,
  type PipelineConfig,
} from '@mobius/config';
import type { z } from 'zod';
import { SERVICE_ENTRIES, type ServiceName } from '../../libs/cli/src/commands/start.ts';
import { chatServiceEnvSchema, loadChatServiceConfig } from '../../services/chat/src/config.ts';
import { consoleEnvSchema, loadConsoleConfig } from '../../services/console/src/config.ts';
import { loadRagServiceConfig, ragServiceEnvSchema } from '../../services/rag/src/config.ts';
import { loadReconcilerConfig, reconcilerEnvSchema } from '../../services/reconciler/src/config.ts';
import { loadUserServiceConfig, userServiceEnvSchema } from '../../services/user/src/config.ts';
import { loadVectorIndexServerConfig, vectorIndexServerEnvSchema } from '../../services/vector-index/src/config.ts';

export const SERVICES = Object.keys(SERVICE_ENTRIES) as ServiceName[];

/** The services the cloud runs: all but the local vector index server, which Vertex AI replaces there. */
export const CLOUD_SERVICES = SERVICES.filter((service) => service !== 'vector-index');

/** The schemas each service's loaders parse (its main.ts / config.ts). */
const SCHEMAS: Record<ServiceName, readonly z.ZodObject[]> = {
  rag: [ragServiceEnvSchema, ragEnvSchema, busEnvSchema, httpAuthEnvSchema, runtimeEnvSchema],
  ingestor: [pipelineEnvSchema, runtimeEnvSchema],
  'mart-builder': [pipelineEnvSchema, runtimeEnvSchema],
  'chat-sync': [pipelineEnvSchema, runtimeEnvSchema],
  'vertex-sync': [pipelineEnvSchema, httpAuthEnvSchema, runtimeEnvSchema],
  chat: [chatServiceEnvSchema, chatEnvSchema, pipelineEnvSchema, runtimeEnvSchema],
  user: [userServiceEnvSchema, userEnvSchema, runtimeEnvSchema],
  'vector-index': [vectorIndexServerEnvSchema, httpAuthEnvSchema, runtimeEnvSchema],
  reconciler: [reconcilerEnvSchema, pipelineEnvSchema, runtimeEnvSchema],
  console: [consoleEnvSchema, pipelineEnvSchema, httpAuthEnvSchema, runtimeEnvSchema],
};

/** Every variable `service`'s config schemas name. */
export function schemaVariables(service: ServiceName): Set<string> {
  return new Set(SCHEMAS[service].flatMap((schema) => Object.keys(schema.shape)));
}

/**
 * loadPipelineConfig's prod rules ask every pipeline service for the RAG host and the Chat URL (and,
 * with WAREHOUSE=postgres, the warehouse URL), though each reads only some of them. A service must not
 * be handed a connection it never uses (a mart-builder holding Chat's URL breaks least privilege), so
 * these are filled with placeholders for the prod check, and a deploy file that sets one (or any
 * variable listed here) fails.
 */
export const UNREAD_PIPELINE_VARIABLES: Partial<Record<ServiceName, readonly string[]>> = {
  ingestor: ['CHAT_DATABASE_URL'],
  'mart-builder': ['POSTGRES_HOST', 'CHAT_DATABASE_URL'],
  'chat-sync': ['POSTGRES_HOST'],
  'vertex-sync': ['POSTGRES_HOST'],
  // The reconciler compares RAG with Chat and the index directly: no bus, no warehouse.
  reconciler: [
    ...Object.keys(busEnvSchema.shape),
    'WAREHOUSE',
    'WAREHOUSE_DATABASE_URL',
    'BQ_PROJECT',
    'BQ_DATASET',
    'BQ_LANDING_DATASET',
    'BQ_LOCATION',
    'BQ_API_ENDPOINT',
  ],
  // The console reads RAG, Chat, the warehouse and the bus; never the vector index or embeddings.
  console: [
    'VECTOR_INDEX',
    'VECTOR_INDEX_URL',
    'VERTEX_PROJECT',
    'VERTEX_REGION',
    'VERTEX_INDEX_ID',
    'VERTEX_INDEX_ENDPOINT_ID',
    'VERTEX_DEPLOYED_INDEX_ID',
    'VERTEX_API_ENDPOINT',
    'EMBEDDING_DIMENSIONS',
  ],
};

const UNREAD_PLACEHOLDERS: Record<string, string> = {
  POSTGRES_HOST: 'unread.invalid',
  CHAT_DATABASE_URL: 'postgresql://unread@unread.invalid/unread',
  WAREHOUSE_DATABASE_URL: 'postgresql://unread@unread.invalid/unread',
};

/** Placeholders for the variables `service` never reads but the prod rules ask for. */
function unreadPlaceholders(service: ServiceName): Env {
  const names = (UNREAD_PIPELINE_VARIABLES[service] ?? []).filter((name) => UNREAD_PLACEHOLDERS[name] !== undefined);
  return Object.fromEntries(names.map((name) => [name, UNREAD_PLACEHOLDERS[name]!]));
}

export interface CheckedService {
  /** Where it listens (PORT, else its local default). */
  port: number;
  /** Its bus settings, for services that use a bus. */
  bus?: BusConfig;
  /** Its pipeline settings (warehouse, vector index), for services that read them. */
  pipeline?: PipelineConfig;
}

/**
 * Loads `service`'s config from `env` with the real loaders, twice: as its main.ts does, and with the
 * prod rules (every connection explicit, so nothing falls back to a localhost default). Throws the
 * loader's ConfigError naming the variable, or an Error for a variable outside its schemas.
 */
export function checkServiceEnv(service: ServiceName, env: Env): CheckedService {
  const unknown = Object.keys(env).filter((name) => !schemaVariables(service).has(name));
  if (unknown.length > 0) throw new Error(`${service}: ${unknown.join(', ')} not in its config schema`);
  const unread = (UNREAD_PIPELINE_VARIABLES[service] ?? []).filter((name) => env[name] !== undefined);
  if (unread.length > 0) throw new Error(`${service}: sets ${unread.join(', ')}, which it never reads`);
  const prod: Env = { ...env, ENV: 'prod' };
  switch (service) {
    case 'rag': {
      const config = loadRagServiceConfig(env);
      loadRagServiceConfig(prod);
      return { port: config.runtime.port, bus: config.bus };
    }
    case 'ingestor':
    case 'mart-builder':
    case 'chat-sync':
    case 'vertex-sync': {
      const port = loadRuntimeConfig(service, env, 0).port;
      const bus = loadBusConfig(service, env);
      const pipeline = loadPipelineConfig(env);
      loadPipelineConfig({ ...env, ...unreadPlaceholders(service) }, { deployEnv: 'prod' });
      // vertex-sync's index views are guarded: a deployment must say who may call them.
      if (service === 'vertex-sync') loadHttpAuthConfig(service, env);
      return { port, bus, pipeline };
    }
    case 'chat': {
      const config = loadChatServiceConfig(env);
      loadChatServiceConfig(prod);
      return { port: config.runtime.port, pipeline: config.vectorIndex };
    }
    case 'user':
      loadUserServiceConfig(prod);
      return { port: loadUserServiceConfig(env).runtime.port };
    case 'vector-index':
      return { port: loadVectorIndexServerConfig(env).runtime.port };
    case 'reconciler': {
      const config = loadReconcilerConfig(env);
      loadReconcilerConfig({ ...prod, ...unreadPlaceholders(service) });
      return { port: config.runtime.port, pipeline: config.pipeline };
    }
    case 'console': {
      const config = loadConsoleConfig(env);
      loadConsoleConfig(prod);
      return { port: config.runtime.port, ...(config.pipeline.bus.kind === 'memory' ? {} : { bus: config.pipeline.bus }), pipeline: config.pipeline };
    }
  }
}
