// `npm run security`: odd input on every route of the user service, on a real Postgres: each body field of each route
// set to values of every JSON type and of awkward text (huge numbers, deep and empty containers, SQL
// and path strings, RTL, emoji, 10k-character strings, uuids that point nowhere), with a valid admin
// credential so the handlers themselves run. No answer may be a 500; every refusal is FastAPI's
// {detail}.
import { randomUUID } from 'node:crypto';
import { routesOf } from '@mobius/service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshEmail, userApiClient, type Json } from '../../services/user/src/testing/client.ts';
import { createUserTestService, type UserTestService } from '../../services/user/src/testing/harness.ts';
import { createMigratedDatabase, dropDatabases, testDatabaseUrl, uniqueName } from '../support/databases.ts';

const KEY = 'odd-input-internal-key-0123456789';
const database = uniqueName('user_odd');
let user: UserTestService;
let admin: Json;
let target: Json;

/** Every field any route of the service reads from a body. */
const FIELDS = [
  'email',
  'password',
  'display_name',
  'first_name',
  'preferred_name',
  'tenant_id',
  'device_info',
  'id_token',
  'refresh_token',
  'activities',
  'ai_experience_level',
  'autonomy_routine_tasks',
  'autonomy_sensitive_tasks',
  'tone',
  'greeting_enabled',
  'timezone',
  'locale',
  'organization',
  'hesitations',
  'source',
  'token',
  'new_password',
  'code',
  'roles',
  'capability',
  'org_slug',
  'alias',
  'weight',
  'name',
  'invited_by',
  'surface',
  'action',
];

const ODD: unknown[] = [
  null,
  true,
  0,
  -1,
  1e308,
  -1e308,
  2 ** 53 + 1,
  3.14,
  '',
  ' ',
  'x'.repeat(10_000),
  [],
  [null],
  [[[]]],
  {},
  { a: { b: { c: [] } } },
  "'; DROP TABLE app_user; --",
  '../../etc/passwd',
  '\u202eevil',
  '😀'.repeat(300),
  'e\u0301',
  randomUUID(),
  '00000000-0000-0000-0000-000000000000',
  'a@b',
  '@',
  'Agent:',
  '_shared_',
  '%00',
  '\\u0000',
  'NaN',
  '-0',
];

beforeAll(async () => {
  await createMigratedDatabase(database, 'user');
  const adminEmail = freshEmail('odd-admin');
  user = createUserTestService({
    databaseUrl: testDatabaseUrl(database),
    secret: 'odd-input-secret',
    internalKey: KEY,
    adminEmails: [adminEmail],
    rateLimits: {
      loginPerEmail: 1e9,
      loginPerIp: 1e9,
      googlePerIp: 1e9,
      resetPerIp: 1e9,
      resetPerEmail: 1e9,
      tokenInfoPerIp: 1e9,
      checkEmailPerIp: 1e9,
    },
    passwordHashing: { concurrency: 1, maxQueued: 1000 },
  });
  admin = (await userApiClient(user).register({ email: adminEmail, password: 'correct horse battery' })).body;
  // The path's user: the directory's writers act on it (deactivating the admin would end its token).
  target = (await userApiClient(user).register({ email: freshEmail('odd-target'), password: 'correct horse battery' })).body;
});

afterAll(async () => {
  await user?.close();
  await dropDatabases([database]);
});

describe('odd input', () => {
  it('never answers 500 on any route, whatever a body field or path parameter holds', async () => {
    const api = userApiClient(user);
    const routes = routesOf(user.app).filter((r) => r.url.startsWith('/api/') && r.method !== 'HEAD');
    expect(routes.length).toBeGreaterThan(30);
    const statuses = new Map<number, number>();
    for (const { method, url } of routes) {
      const path = url
        .replace(':user_id', target.user.user_id)
        .replace(':org_slug', 'odd-org')
        .replace(':capability', 'odd')
        .replace(':alias', encodeURIComponent('ödd alias'));
      const bodies: Array<Json | undefined> =
        method === 'GET' || method === 'DELETE' ? [undefined] : FIELDS.flatMap((field) => ODD.map((value) => ({ [field]: value })));
      for (const body of bodies) {
        const answer = await api.call(method as 'GET', path, {
          token: admin.access_token,
          headers: { 'x-internal-key': KEY },
          ...(body ? { body } : {}),
        });
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        const where = `${method} ${path} ${JSON.stringify(body)?.slice(0, 120)} -> ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`;
        expect(answer.status, where).toBeLessThan(500);
        if (answer.status >= 400) expect(answer.body, where).toHaveProperty('detail');
      }
    }
    await user.settled();
    console.info(
      `user odd input: ${[...statuses]
        .sort()
        .map(([status, n]) => `${status} x ${n}`)
        .join(', ')}`,
    );
  }, 600_000);
});
