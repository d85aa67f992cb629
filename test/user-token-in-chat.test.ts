import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatTestService, type ChatTestService } from '../services/chat/src/testing/harness.ts';
import { freshEmail, userApiClient } from '../services/user/src/testing/client.ts';
import { createUserTestService, type UserTestService } from '../services/user/src/testing/harness.ts';
import { createMigratedDatabase, dropDatabases, testDatabaseUrl, uniqueName } from './support/databases.ts';

// The token mobius-user issues at login is what chat's search accepts: one secret, one validator.

const SECRET = 'shared-secret-between-user-and-chat';
const userDb = uniqueName('tok_user');
const chatDb = uniqueName('tok_chat');
let user: UserTestService;
let chat: ChatTestService;

beforeAll(async () => {
  await createMigratedDatabase(userDb, 'user');
  await createMigratedDatabase(chatDb, 'chat');
  user = createUserTestService({ databaseUrl: testDatabaseUrl(userDb), secret: SECRET });
  chat = await createChatTestService({ databaseUrl: testDatabaseUrl(chatDb), dimensions: 16, secret: SECRET });
});

afterAll(async () => {
  await user?.close();
  await chat?.close();
  await dropDatabases([userDb, chatDb]);
});

const search = (token: string) =>
  chat.app.inject({
    method: 'POST',
    url: '/v1/search',
    headers: { authorization: `Bearer ${token}` },
    payload: { query: 'prior authorization', k: 3 },
  });

describe('a login token in chat', () => {
  it('is accepted by chat search; its refresh token is not; after logout the refresh is refused', async () => {
    const api = userApiClient(user);
    const email = freshEmail('chat');
    expect((await api.register({ email, password: 'correct horse battery' })).status).toBe(200);
    const login = await api.login({ email, password: 'correct horse battery' });
    expect(login.status).toBe(200);
    const ok = await search(login.body.access_token as string);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ results: [] });

    const refreshAsAccess = await search(login.body.refresh_token as string);
    expect(refreshAsAccess.statusCode).toBe(401);
    expect(refreshAsAccess.json().error.code).toBe('TOKEN_WRONG_TYPE');

    expect((await api.logout({ body: { refresh_token: login.body.refresh_token } })).status).toBe(200);
    expect((await api.refresh(login.body.refresh_token)).status).toBe(401);
  });
});
