import { describe, expect, it } from 'vitest';
import { loadPipelineConfig } from './pipeline.ts';
import { loadRagDatabaseConfig } from './rag.ts';
import { loadUserConfig, loadUserDatabaseConfig } from './user.ts';
import { loadWarehouseDatabaseConfig } from './warehouse.ts';

describe('rag', () => {
  it('lets ENV pick the default: dev uses the local mobius_rag, prod requires DATABASE_URL', () => {
    expect(loadRagDatabaseConfig({}).databaseUrl).toBe('postgresql://postgres@localhost:5432/mobius_rag');
    expect(loadRagDatabaseConfig({ ENV: 'dev' }).source).toBe('dev default');
    expect(() => loadRagDatabaseConfig({ ENV: 'prod' })).toThrow('rag config: DATABASE_URL is required with --env prod');
    const url = 'postgresql://rag:pw@db:5432/rag';
    expect(loadRagDatabaseConfig({ ENV: 'prod', DATABASE_URL: url }).databaseUrl).toBe(url);
  });

  it('rejects an unknown ENV', () => {
    expect(() => loadRagDatabaseConfig({ ENV: 'staging' })).toThrow(/rag config: ENV .*dev.*prod/);
  });

  it('lets the CLI flag override ENV', () => {
    expect(() => loadRagDatabaseConfig({ ENV: 'dev' }, { deployEnv: 'prod' })).toThrow('DATABASE_URL');
  });
});

describe('user', () => {
  it('requires JWT_SECRET for the service in every environment, never defaulting it', () => {
    expect(() => loadUserConfig({})).toThrow('user config: JWT_SECRET is required');
    expect(() => loadUserConfig({ JWT_SECRET: '' })).toThrow('user config: JWT_SECRET is required');
  });

  it('reads the token lifetimes with the contract defaults', () => {
    expect(loadUserConfig({ JWT_SECRET: 's' })).toMatchObject({ accessTokenMinutes: 60, refreshTokenDays: 7 });
    expect(loadUserConfig({ JWT_SECRET: 's', JWT_ACCESS_TOKEN_EXPIRE_MINUTES: '15' }).accessTokenMinutes).toBe(15);
    expect(() => loadUserConfig({ JWT_SECRET: 's', JWT_REFRESH_TOKEN_EXPIRE_DAYS: 'soon' })).toThrow('JWT_REFRESH_TOKEN_EXPIRE_DAYS');
  });

  it('migrations need only the database, not the secret', () => {
    expect(loadUserDatabaseConfig({}).databaseUrl).toContain('/mobius_user');
    expect(() => loadUserDatabaseConfig({}, { deployEnv: 'prod' })).toThrow('USER_DATABASE_URL is required with --env prod');
  });
});

describe('warehouse', () => {
  it('defaults to the local mobius_warehouse in dev only', () => {
    expect(loadWarehouseDatabaseConfig({}).databaseUrl).toContain('/mobius_warehouse');
    expect(() => loadWarehouseDatabaseConfig({ ENV: 'prod' })).toThrow('WAREHOUSE_DATABASE_URL is required');
  });
});

describe('pipeline', () => {
  it('reads RAG with POSTGRES_* (database default mobius_rag) and encodes the password', () => {
    const config = loadPipelineConfig({ POSTGRES_HOST: 'rag-db', POSTGRES_USER: 'etl', POSTGRES_PASSWORD: 'p@ss' });
    expect(config.ragDatabaseUrl).toBe('postgresql://etl:p%40ss@rag-db:5432/mobius_rag');
    expect(config).toMatchObject({
      embeddingDimensions: 1536,
      bus: {
        kind: 'nats',
        natsUrl: 'nats://127.0.0.1:4222',
        topicPrefix: '',
        pubsub: { mode: 'pull', provision: 'auto', pushAuth: { kind: 'none' } },
      },
      warehouse: { kind: 'postgres', databaseUrl: 'postgresql://postgres@localhost:5432/mobius_warehouse' },
      vectorIndex: { kind: 'memory' },
    });
  });

  it('returns typed settings per port, camelCase, no variable names', () => {
    const config = loadPipelineConfig({
      WAREHOUSE: 'bigquery',
      BQ_PROJECT: 'p',
      BQ_LOCATION: 'EU',
      VECTOR_INDEX: 'local',
      VECTOR_INDEX_URL: 'http://127.0.0.1:8015',
      MOBIUS_SERVICE_TOKEN: 't',
      EMBEDDING_DIMENSIONS: '16',
      BUS: 'pubsub',
      PUBSUB_EMULATOR_HOST: '127.0.0.1:8085',
      PUBSUB_MAX_DELIVERY_ATTEMPTS: '7',
      PUBSUB_RETAIN_ACKED_MESSAGES: 'false',
    });
    expect(config.warehouse).toEqual({ kind: 'bigquery', projectId: 'p', dataset: 'mobius_rag', landingDataset: 'landing_rag', location: 'EU' });
    expect(config.vectorIndex).toMatchObject({ kind: 'local', url: 'http://127.0.0.1:8015', serviceToken: 't' });
    expect(config.embeddingDimensions).toBe(16);
    expect(config.bus.pubsub).toEqual({
      mode: 'pull',
      provision: 'auto',
      pushAuth: { kind: 'none' },
      projectId: 'mobius-local',
      emulatorHost: '127.0.0.1:8085',
      maxDeliveryAttempts: 7,
      retainAckedMessages: false,
    });
    const vertex = {
      VECTOR_INDEX: 'vertex',
      VERTEX_PROJECT: 'p',
      VERTEX_REGION: 'r',
      VERTEX_INDEX_ID: 'i',
      VERTEX_INDEX_ENDPOINT_ID: 'e',
      VERTEX_DEPLOYED_INDEX_ID: 'd',
    };
    expect(loadPipelineConfig(vertex).vectorIndex).toEqual({
      kind: 'vertex',
      resources: { project: 'p', region: 'r', indexId: 'i', indexEndpointId: 'e', deployedIndexId: 'd' },
    });
  });

  it('names what the selected adapters need', () => {
    expect(() => loadPipelineConfig({ WAREHOUSE: 'bigquery' })).toThrow('pipeline config: BQ_PROJECT is required when WAREHOUSE=bigquery');
    expect(() => loadPipelineConfig({ VECTOR_INDEX: 'vertex', VERTEX_PROJECT: 'p' })).toThrow(
      'pipeline config: VERTEX_REGION is required when VECTOR_INDEX=vertex',
    );
    expect(() => loadPipelineConfig({ BUS: 'kafka' })).toThrow(/pipeline config: BUS/);
    expect(() => loadPipelineConfig({ VECTOR_INDEX: 'local' })).toThrow('pipeline config: VECTOR_INDEX_URL is required when VECTOR_INDEX=local');
    expect(() => loadPipelineConfig({ BUS_MODE: 'push' })).toThrow('pipeline config: BUS_MODE push needs BUS=pubsub (BUS is nats)');
  });

  it('requires explicit connections in prod', () => {
    expect(() => loadPipelineConfig({ ENV: 'prod' })).toThrow('POSTGRES_HOST is required with --env prod');
    expect(() => loadPipelineConfig({ ENV: 'prod', POSTGRES_HOST: 'h' })).toThrow('CHAT_DATABASE_URL is required');
  });
});
