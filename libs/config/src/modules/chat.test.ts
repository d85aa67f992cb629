import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.ts';
import { loadChatDatabaseConfig } from './chat.ts';

const A = 'postgresql://chat@a.example:5432/a';
const B = 'postgresql://chat@b.example:5432/b';
const C = 'postgresql://chat@c.example:5432/c';

describe('chat database precedence', () => {
  it('prefers CHAT_RAG_DATABASE_URL over RAG_DATABASE_URL over CHAT_DATABASE_URL', () => {
    const all = { CHAT_RAG_DATABASE_URL: A, RAG_DATABASE_URL: B, CHAT_DATABASE_URL: C };
    expect(loadChatDatabaseConfig(all)).toMatchObject({ databaseUrl: A, source: 'CHAT_RAG_DATABASE_URL' });
    expect(loadChatDatabaseConfig({ RAG_DATABASE_URL: B, CHAT_DATABASE_URL: C })).toMatchObject({
      databaseUrl: B,
      source: 'RAG_DATABASE_URL',
    });
    expect(loadChatDatabaseConfig({ CHAT_DATABASE_URL: C })).toMatchObject({ databaseUrl: C, source: 'CHAT_DATABASE_URL' });
  });

  it('treats an empty variable as unset, as compose files leave them', () => {
    expect(loadChatDatabaseConfig({ CHAT_RAG_DATABASE_URL: '', CHAT_DATABASE_URL: C }).databaseUrl).toBe(C);
  });

  it('falls back to the local mobius_chat in dev and refuses in prod, naming the variables', () => {
    expect(loadChatDatabaseConfig({}).databaseUrl).toBe('postgresql://postgres@localhost:5432/mobius_chat');
    expect(() => loadChatDatabaseConfig({}, { deployEnv: 'prod' })).toThrow(
      /CHAT_RAG_DATABASE_URL \| RAG_DATABASE_URL \| CHAT_DATABASE_URL is required/,
    );
    expect(() => loadChatDatabaseConfig({ ENV: 'prod' })).toThrow(ConfigError);
  });

  it('accepts a Cloud SQL socket URL, which has no host before the path', () => {
    const socket = 'postgresql://chat:p%40ss@/mobius_chat?host=/cloudsql/proj:us-central1:chat';
    expect(loadChatDatabaseConfig({ CHAT_DATABASE_URL: socket }).databaseUrl).toBe(socket);
    expect(() => loadChatDatabaseConfig({ CHAT_DATABASE_URL: 'postgresql://chat@/mobius_chat' })).toThrow('is not a valid postgres:// URL');
  });

  it('keeps the dev-clone source separate from chat’s own database', () => {
    const config = loadChatDatabaseConfig({ CHAT_DATABASE_URL: C, RAG_SOURCE_DATABASE_URL: A });
    expect(config.databaseUrl).toBe(C);
    expect(config.ragSourceDatabaseUrl).toBe(A);
  });

  it('names the variable holding a malformed URL without repeating its value', () => {
    const attempt = () => loadChatDatabaseConfig({ RAG_DATABASE_URL: 'mysql://u:hunter2@x/y' });
    expect(attempt).toThrow('chat config: RAG_DATABASE_URL is not a valid postgres:// URL');
    try {
      attempt();
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter2');
    }
  });
});
