// chat's configuration (the loader main.ts runs, the only reader of the environment) and its start-up
// as `mobius start chat`: it refuses to start without JWT_SECRET, and otherwise serves searches.
import { ConfigError } from '@mobius/config';
import { afterAll, describe, expect, it } from 'vitest';
import { tokenCommand } from '../libs/cli/src/commands/token.ts';
import { loadChatServiceConfig } from '../services/chat/src/config.ts';
import { createMigratedDatabase, dropDatabases, testDatabaseUrl, uniqueName } from './support/databases.ts';
import { startServiceProcess, stopServiceProcess } from './support/processes.ts';

const A = 'postgresql://chat@a.example:5432/a';
const B = 'postgresql://chat@b.example:5432/b';
const C = 'postgresql://chat@c.example:5432/c';
const SECRET = 'chat-config-test-secret';

/** The ConfigError `attempt` throws. */
function configError(attempt: () => unknown): ConfigError {
  try {
    attempt();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadChatServiceConfig', () => {
  it('refuses to load without JWT_SECRET, or with it empty, naming the variable', () => {
    for (const env of [{ CHAT_DATABASE_URL: C }, { CHAT_DATABASE_URL: C, JWT_SECRET: '' }]) {
      const error = configError(() => loadChatServiceConfig(env));
      expect(error.variable).toBe('JWT_SECRET');
      expect(error.message).toMatch(/^chat config: JWT_SECRET is required/);
    }
  });

  it('defaults: port 8002, the local embedder at 1536 dimensions, the memory index, the dev database', () => {
    const config = loadChatServiceConfig({ JWT_SECRET: SECRET });
    expect(config.runtime).toEqual({ port: 8002, host: '127.0.0.1', logLevel: 'info' });
    expect(config.jwtSecret).toBe(SECRET);
    expect(config.embedding).toEqual({ provider: 'local', dimensions: 1536 });
    expect(config.vectorIndex.vectorIndex).toEqual({ kind: 'memory' });
    expect(config.database).toMatchObject({ databaseUrl: 'postgresql://postgres@localhost:5432/mobius_chat', source: 'dev default' });
  });

  it('keeps chat’s database precedence: CHAT_RAG_DATABASE_URL > RAG_DATABASE_URL > CHAT_DATABASE_URL', () => {
    const base = { JWT_SECRET: SECRET };
    expect(loadChatServiceConfig({ ...base, CHAT_RAG_DATABASE_URL: A, RAG_DATABASE_URL: B, CHAT_DATABASE_URL: C }).database.databaseUrl).toBe(A);
    expect(loadChatServiceConfig({ ...base, RAG_DATABASE_URL: B, CHAT_DATABASE_URL: C }).database.databaseUrl).toBe(B);
    expect(loadChatServiceConfig({ ...base, CHAT_DATABASE_URL: C }).database).toMatchObject({ databaseUrl: C, source: 'CHAT_DATABASE_URL' });
  });

  it('reads PORT, EMBEDDING_DIMENSIONS and the index selection, and names a wrong variable', () => {
    const config = loadChatServiceConfig({
      JWT_SECRET: SECRET,
      PORT: '9102',
      EMBEDDING_DIMENSIONS: '768',
      VECTOR_INDEX: 'local',
      VECTOR_INDEX_URL: 'http://localhost:8020',
    });
    expect(config.runtime.port).toBe(9102);
    expect(config.embedding.dimensions).toBe(768);
    expect(config.vectorIndex).toMatchObject({ vectorIndex: { kind: 'local', url: 'http://localhost:8020' }, embeddingDimensions: 768 });
    expect(configError(() => loadChatServiceConfig({ JWT_SECRET: SECRET, EMBEDDING_PROVIDER: 'openai' })).variable).toBe('EMBEDDING_PROVIDER');
    expect(configError(() => loadChatServiceConfig({ JWT_SECRET: SECRET, EMBEDDING_DIMENSIONS: '0' })).variable).toBe('EMBEDDING_DIMENSIONS');
    expect(configError(() => loadChatServiceConfig({ JWT_SECRET: SECRET, VECTOR_INDEX: 'local' })).variable).toBe('VECTOR_INDEX_URL');
    expect(configError(() => loadChatServiceConfig({ JWT_SECRET: SECRET, PORT: 'http' })).variable).toBe('PORT');
  });

  it('in prod needs a database and a real index, but none of the pipeline’s other variables', () => {
    expect(
      configError(() => loadChatServiceConfig({ JWT_SECRET: SECRET, ENV: 'prod', VECTOR_INDEX: 'local', VECTOR_INDEX_URL: 'http://x:1' })).message,
    ).toMatch(/CHAT_RAG_DATABASE_URL \| RAG_DATABASE_URL \| CHAT_DATABASE_URL is required/);
    expect(configError(() => loadChatServiceConfig({ JWT_SECRET: SECRET, ENV: 'prod', RAG_DATABASE_URL: B })).variable).toBe('VECTOR_INDEX');
    const prod = loadChatServiceConfig({
      JWT_SECRET: SECRET,
      ENV: 'prod',
      RAG_DATABASE_URL: B,
      VECTOR_INDEX: 'local',
      VECTOR_INDEX_URL: 'http://x:1',
    });
    expect(prod.database).toMatchObject({ databaseUrl: B, deployEnv: 'prod' });
  });
});

describe('mobius start chat', () => {
  const databases: string[] = [];
  afterAll(async () => dropDatabases(databases));

  it('exits 1 at start without JWT_SECRET, saying so', async () => {
    const attempt = startServiceProcess('chat', { CHAT_DATABASE_URL: testDatabaseUrl('postgres') });
    await expect(attempt).rejects.toThrow(/exited \(1\) before listening[\s\S]*JWT_SECRET is required/);
  });

  it('with JWT_SECRET serves /readyz and an authenticated search on its database', async () => {
    const database = uniqueName('chat_start');
    databases.push(database);
    await createMigratedDatabase(database, 'chat');
    const service = await startServiceProcess('chat', {
      CHAT_DATABASE_URL: testDatabaseUrl(database),
      JWT_SECRET: SECRET,
      EMBEDDING_DIMENSIONS: '64',
    });
    try {
      expect((await fetch(`${service.url}/readyz`)).status).toBe(200);
      const out: string[] = [];
      await tokenCommand({ user: 'operator-1' }, { env: { JWT_SECRET: SECRET }, out: (line) => out.push(line), err: () => {} });
      const search = (authorization: string) =>
        fetch(`${service.url}/v1/search`, {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/json' },
          body: JSON.stringify({ query: 'prior authorization', k: 5 }),
        });
      const answer = await search(`Bearer ${out[0]}`);
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({ results: [] });
      expect((await search('Bearer nope')).status).toBe(401);
      expect(service.logs.join('\n')).not.toContain(SECRET);
    } finally {
      expect(await stopServiceProcess(service)).toBe(0);
    }
  });
});
