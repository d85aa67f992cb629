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
    expect(() => loadUserConfig({ JWT_SECRET: 's', JWT_REFRESH_TOKEN_EXPIRE_DAYS: 'soon' })).toThrow(
      'JWT_REFRESH_TOKEN_EXPIRE_DAYS',
    );
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
    expect(config.env).toMatchObject({ BQ_DATASET: 'mobius_rag', BQ_LANDING_DATASET: 'landing_rag', TOPIC_PREFIX: '' });
  });

  it('names what the selected adapters need', () => {
    expect(() => loadPipelineConfig({ WAREHOUSE: 'bigquery' })).toThrow('pipeline config: BQ_PROJECT is required when WAREHOUSE=bigquery');
    expect(() => loadPipelineConfig({ VECTOR_INDEX: 'vertex', VERTEX_PROJECT: 'p' })).toThrow(
      'pipeline config: VERTEX_REGION is required when VECTOR_INDEX=vertex',
    );
    expect(() => loadPipelineConfig({ BUS: 'kafka' })).toThrow(/pipeline config: BUS/);
  });

  it('requires explicit connections in prod', () => {
    expect(() => loadPipelineConfig({ ENV: 'prod' })).toThrow('POSTGRES_HOST is required with --env prod');
    expect(() => loadPipelineConfig({ ENV: 'prod', POSTGRES_HOST: 'h' })).toThrow('CHAT_DATABASE_URL is required');
  });
});
