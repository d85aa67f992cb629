import { z } from 'zod';
import { LOCAL_POSTGRES, deployEnvSchema, localDatabaseUrl, optional, port, postgresUrl } from '../fields.ts';
import { parseEnv, requiredInProd, type Env } from '../parse-env.ts';
import { buildPostgresUrl } from '../postgres-url.ts';
import type { LoadOptions } from './database-config.ts';
import { busEnvFields, busSettingsOf, checkBusEnv, type BusSettings } from './runtime.ts';
import { CHAT_DEFAULT_DATABASE } from './chat.ts';
import { RAG_DEFAULT_DATABASE } from './rag.ts';
import { WAREHOUSE_DEFAULT_DATABASE } from './warehouse.ts';

/** The pipeline's variables, each on its own (pipelineEnvSchema adds the combinations). */
const pipelineEnvFields = busEnvFields.extend({
  ENV: optional(deployEnvSchema),
  /** RAG read side, as mobius-dbt named it. */
  POSTGRES_HOST: optional(z.string()),
  POSTGRES_PORT: optional(port).default(5432),
  POSTGRES_DB: optional(z.string()).default(RAG_DEFAULT_DATABASE),
  POSTGRES_USER: optional(z.string()).default(LOCAL_POSTGRES.user),
  POSTGRES_PASSWORD: optional(z.string()).default(''),
  /** Chat's database, which chat-sync writes (the same database chat reads). */
  CHAT_DATABASE_URL: optional(postgresUrl),
  /** Addition: which warehouse adapter to use. */
  WAREHOUSE: optional(z.enum(['postgres', 'bigquery'])).default('postgres'),
  /** Addition: the Postgres warehouse, when WAREHOUSE=postgres. */
  WAREHOUSE_DATABASE_URL: optional(postgresUrl),
  /** BigQuery project, required when WAREHOUSE=bigquery. */
  BQ_PROJECT: optional(z.string()),
  /** The mart dataset. */
  BQ_DATASET: optional(z.string().regex(/^\w{1,1024}$/, 'is not a valid BigQuery dataset id')).default('mobius_rag'),
  /** The landing dataset. */
  BQ_LANDING_DATASET: optional(z.string().regex(/^\w{1,1024}$/, 'is not a valid BigQuery dataset id')).default('landing_rag'),
  /** Addition: BigQuery location of new datasets and of jobs (e.g. `US`, `europe-west1`); unset: BigQuery's default. */
  BQ_LOCATION: optional(z.string()),
  /** Addition: BigQuery API endpoint override (a test double or an emulator); requests to it carry no credentials. */
  BQ_API_ENDPOINT: optional(z.url({ message: 'is not a valid URL' })),
  /** Addition: which vector index adapter to use (`local` = the Vertex adapter on VECTOR_INDEX_URL). */
  VECTOR_INDEX: optional(z.enum(['vertex', 'local', 'memory'])).default('memory'),
  /** Addition: the local vector index server (`mobius start vector-index`), required when VECTOR_INDEX=local. */
  VECTOR_INDEX_URL: optional(z.url({ message: 'is not a valid URL' })),
  /** Addition: the shared service token sent to the local vector index server (VECTOR_INDEX=local) unless it runs with AUTH=none. */
  MOBIUS_SERVICE_TOKEN: optional(z.string()),
  /** Vertex AI Vector Search resources (required for vertex; local falls back to the local server's names). */
  VERTEX_PROJECT: optional(z.string()),
  VERTEX_REGION: optional(z.string()),
  VERTEX_INDEX_ID: optional(z.string()),
  VERTEX_INDEX_ENDPOINT_ID: optional(z.string()),
  VERTEX_DEPLOYED_INDEX_ID: optional(z.string()),
  /** Addition: the Vertex API host or URL when VECTOR_INDEX=vertex; default `{VERTEX_REGION}-aiplatform.googleapis.com`. */
  VERTEX_API_ENDPOINT: optional(z.string()),
  /** Addition: embedding length; the published contract says 1536. */
  EMBEDDING_DIMENSIONS: optional(z.coerce.number().int().positive()).default(1536),
});

const VERTEX_VARIABLES = ['VERTEX_PROJECT', 'VERTEX_REGION', 'VERTEX_INDEX_ID', 'VERTEX_INDEX_ENDPOINT_ID', 'VERTEX_DEPLOYED_INDEX_ID'] as const;

/** The pipeline's variables as parsed (raw names); only the loader reads it. */
export type PipelineEnv = z.infer<typeof pipelineEnvFields>;

/**
 * What the selected adapters need, naming the variable: the bus's combinations (checkBusEnv), BQ_PROJECT
 * with WAREHOUSE=bigquery, every VERTEX_* resource with VECTOR_INDEX=vertex, VECTOR_INDEX_URL with
 * VECTOR_INDEX=local.
 */
function checkPipelineEnv(env: PipelineEnv, ctx: z.RefinementCtx): void {
  checkBusEnv(env, ctx);
  const issue = (variable: keyof PipelineEnv, message: string) => ctx.addIssue({ code: 'custom', path: [variable], message });
  if (env.WAREHOUSE === 'bigquery' && !env.BQ_PROJECT) issue('BQ_PROJECT', 'is required when WAREHOUSE=bigquery');
  if (env.VECTOR_INDEX === 'vertex') {
    const missing = VERTEX_VARIABLES.find((name) => !env[name]);
    if (missing) issue(missing, 'is required when VECTOR_INDEX=vertex');
  }
  if (env.VECTOR_INDEX === 'local' && !env.VECTOR_INDEX_URL) issue('VECTOR_INDEX_URL', 'is required when VECTOR_INDEX=local');
}

/** The pipeline's environment (the services that replace the batch mobius-dbt job), combinations checked. */
export const pipelineEnvSchema = pipelineEnvFields.superRefine(checkPipelineEnv);

/** The warehouse the pipeline writes and reads: the Postgres warehouse, or BigQuery's two datasets. */
export type WarehouseSettings =
  | { kind: 'postgres'; databaseUrl: string }
  | { kind: 'bigquery'; projectId: string; dataset: string; landingDataset: string; location?: string; apiEndpoint?: string };

/** Vertex AI Vector Search's resource names (the vector index port's VertexResources). */
export interface VertexResourceNames {
  project: string;
  region: string;
  indexId: string;
  indexEndpointId: string;
  deployedIndexId: string;
}

/**
 * The vector index: in-process memory, Vertex AI Vector Search, or the local server speaking Vertex's
 * API (where unset names fall back to the server's own).
 */
export type VectorIndexSettings =
  | { kind: 'memory' }
  | { kind: 'vertex'; resources: VertexResourceNames; apiEndpoint?: string }
  | { kind: 'local'; url: string; resources: Partial<VertexResourceNames>; serviceToken?: string };

export interface PipelineConfig {
  deployEnv: 'dev' | 'prod';
  /** The RAG database the ingestor reads, built from POSTGRES_*. */
  ragDatabaseUrl: string;
  chatDatabaseUrl: string;
  /** The Postgres warehouse's URL (also with WAREHOUSE=bigquery, where it is unused). */
  warehouseDatabaseUrl: string;
  /** The embedding length every port checks (EMBEDDING_DIMENSIONS). */
  embeddingDimensions: number;
  bus: BusSettings;
  warehouse: WarehouseSettings;
  vectorIndex: VectorIndexSettings;
}

function warehouseSettingsOf(env: PipelineEnv, databaseUrl: string): WarehouseSettings {
  if (env.WAREHOUSE === 'postgres') return { kind: 'postgres', databaseUrl };
  return {
    kind: 'bigquery',
    projectId: env.BQ_PROJECT!,
    dataset: env.BQ_DATASET,
    landingDataset: env.BQ_LANDING_DATASET,
    ...(env.BQ_LOCATION !== undefined ? { location: env.BQ_LOCATION } : {}),
    ...(env.BQ_API_ENDPOINT !== undefined ? { apiEndpoint: env.BQ_API_ENDPOINT } : {}),
  };
}

function vectorIndexSettingsOf(env: PipelineEnv): VectorIndexSettings {
  const resources = {
    project: env.VERTEX_PROJECT,
    region: env.VERTEX_REGION,
    indexId: env.VERTEX_INDEX_ID,
    indexEndpointId: env.VERTEX_INDEX_ENDPOINT_ID,
    deployedIndexId: env.VERTEX_DEPLOYED_INDEX_ID,
  };
  switch (env.VECTOR_INDEX) {
    case 'memory':
      return { kind: 'memory' };
    case 'vertex':
      // checkPipelineEnv made sure every name is there.
      return {
        kind: 'vertex',
        resources: resources as VertexResourceNames,
        ...(env.VERTEX_API_ENDPOINT ? { apiEndpoint: env.VERTEX_API_ENDPOINT } : {}),
      };
    case 'local':
      return {
        kind: 'local',
        url: env.VECTOR_INDEX_URL!,
        resources,
        ...(env.MOBIUS_SERVICE_TOKEN ? { serviceToken: env.MOBIUS_SERVICE_TOKEN } : {}),
      };
  }
}

/** The pipeline's whole config. In prod the RAG host and the Chat and warehouse URLs must be explicit. */
export function loadPipelineConfig(env: Env, options: LoadOptions = {}): PipelineConfig {
  const parsed = parseEnv('pipeline', pipelineEnvSchema, env);
  const deployEnv = options.deployEnv ?? parsed.ENV ?? 'dev';
  if (deployEnv === 'prod') {
    if (!parsed.POSTGRES_HOST) requiredInProd('pipeline', 'POSTGRES_HOST');
    if (!parsed.CHAT_DATABASE_URL) requiredInProd('pipeline', 'CHAT_DATABASE_URL');
    if (parsed.WAREHOUSE === 'postgres' && !parsed.WAREHOUSE_DATABASE_URL) {
      requiredInProd('pipeline', 'WAREHOUSE_DATABASE_URL');
    }
  }
  const ragDatabaseUrl = buildPostgresUrl({
    host: parsed.POSTGRES_HOST ?? LOCAL_POSTGRES.host,
    port: parsed.POSTGRES_PORT,
    database: parsed.POSTGRES_DB,
    user: parsed.POSTGRES_USER,
    password: parsed.POSTGRES_PASSWORD,
  });
  const warehouseDatabaseUrl = parsed.WAREHOUSE_DATABASE_URL ?? localDatabaseUrl(WAREHOUSE_DEFAULT_DATABASE);
  return {
    deployEnv,
    ragDatabaseUrl,
    chatDatabaseUrl: parsed.CHAT_DATABASE_URL ?? localDatabaseUrl(CHAT_DEFAULT_DATABASE),
    warehouseDatabaseUrl,
    embeddingDimensions: parsed.EMBEDDING_DIMENSIONS,
    bus: busSettingsOf(parsed),
    warehouse: warehouseSettingsOf(parsed, warehouseDatabaseUrl),
    vectorIndex: vectorIndexSettingsOf(parsed),
  };
}
