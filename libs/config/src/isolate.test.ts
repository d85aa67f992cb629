import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.ts';
import { isolatedDevEnv, isolatedEnv } from './isolate.ts';
import { loadChatDatabaseConfig } from './modules/chat.ts';
import { loadRagDatabaseConfig } from './modules/rag.ts';
import { loadUserDatabaseConfig } from './modules/user.ts';
import { loadWarehouseDatabaseConfig } from './modules/warehouse.ts';
import { loadBusConfig } from './modules/runtime.ts';

describe('MOBIUS_ISOLATE', () => {
  it('derives every database, the topic prefix and the index directory from one name', () => {
    expect(isolatedEnv({ MOBIUS_ISOLATE: 'ana' })).toEqual({
      MOBIUS_ISOLATE: 'ana',
      TOPIC_PREFIX: 'ana_',
      DATABASE_URL: 'postgresql://postgres@localhost:5432/mobius_rag_ana',
      POSTGRES_DB: 'mobius_rag_ana',
      CHAT_DATABASE_URL: 'postgresql://postgres@localhost:5432/mobius_chat_ana',
      USER_DATABASE_URL: 'postgresql://postgres@localhost:5432/mobius_user_ana',
      WAREHOUSE_DATABASE_URL: 'postgresql://postgres@localhost:5432/mobius_warehouse_ana',
      POSTGRES_DB_LOCAL: 'mobius_ana',
      VECTOR_INDEX_DATA_DIR: '.mobius/isolated/ana/vector-index',
    });
  });

  it('reaches every loader, and a variable that is set (not empty) wins over what the name derives', () => {
    const env = { MOBIUS_ISOLATE: 'ana', CHAT_DATABASE_URL: 'postgresql://other@db:5432/chat', TOPIC_PREFIX: '' };
    expect(loadRagDatabaseConfig(env).databaseUrl).toBe('postgresql://postgres@localhost:5432/mobius_rag_ana');
    expect(loadChatDatabaseConfig(env).databaseUrl).toBe('postgresql://other@db:5432/chat');
    expect(loadUserDatabaseConfig(env).databaseUrl).toBe('postgresql://postgres@localhost:5432/mobius_user_ana');
    expect(loadWarehouseDatabaseConfig(env).databaseUrl).toBe('postgresql://postgres@localhost:5432/mobius_warehouse_ana');
    expect(JSON.stringify(loadBusConfig('rag', env))).toContain('"ana_"');
  });

  it('changes nothing when unset or empty', () => {
    const env = { DATABASE_URL: 'postgresql://a@b/c' };
    expect(isolatedEnv(env)).toBe(env);
    expect(isolatedEnv({ MOBIUS_ISOLATE: '' })).toEqual({ MOBIUS_ISOLATE: '' });
    expect(loadRagDatabaseConfig({}).databaseUrl).toBe('postgresql://postgres@localhost:5432/mobius_rag');
  });

  it('refuses a name unfit for a database or a prefix, and production, naming the variable', () => {
    for (const name of ['Ana', 'a-b', '1a', 'a'.repeat(31), 'a b']) {
      expect(() => loadRagDatabaseConfig({ MOBIUS_ISOLATE: name }), name).toThrow(ConfigError);
      expect(() => loadRagDatabaseConfig({ MOBIUS_ISOLATE: name }), name).toThrow(/MOBIUS_ISOLATE must be 1-30 lowercase/);
    }
    expect(() => loadRagDatabaseConfig({ MOBIUS_ISOLATE: 'ana', ENV: 'prod', DATABASE_URL: 'postgresql://a@b/c' })).toThrow(
      'config config: MOBIUS_ISOLATE is for development only (unset it with ENV=prod)',
    );
  });

  it('gives mobius dev its own data directory and free ports, and nothing else', () => {
    expect(isolatedDevEnv({ MOBIUS_ISOLATE: 'ana', MOBIUS_DEV_PG_PORT: '6000' })).toEqual({
      MOBIUS_ISOLATE: 'ana',
      MOBIUS_DATA_DIR: '.mobius/isolated/ana',
      MOBIUS_DEV_PORT_BASE: '0',
      MOBIUS_DEV_PG_PORT: '6000',
    });
    const env = { PATH: '/bin' };
    expect(isolatedDevEnv(env)).toBe(env);
    expect(isolatedDevEnv({ MOBIUS_ISOLATE: 'Not Valid' })).toEqual({ MOBIUS_ISOLATE: 'Not Valid' });
  });
});
