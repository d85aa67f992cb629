// The security suite on the real services (in-process apps on real Postgres), shared by `npm run
// security` (every probe) and its smoke in `npm test` (a subset): see probes.ts for what is sent.
// rag, chat, the vector index server, vertex-sync's index views, the console and the user service.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTokenService, type AccessPolicy, type UserDirectory } from '@mobius/auth';
import { migrateDatabase } from '@mobius/db';
import { startVectorIndexServer, type EmbeddedServer } from '@mobius/vector-index-server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createChatTestService, type ChatTestService } from '../../../services/chat/src/testing/harness.ts';
import { createRagTestService, type RagTestService } from '../../../services/rag/src/testing/harness.ts';
import { createDatabase, dropDatabases, testDatabaseUrl, uniqueName } from '../../support/databases.ts';
import { consoleApp, userApp, vertexSyncApp, type ProbedApp } from './more-services.ts';
import { probeService, refusedCredentials, type ProbeResult, type ProbeTarget } from './probes.ts';

const SECRET = 'security-suite-jwt-secret';
const SERVICE_TOKEN = `security-suite-service-token-${randomUUID()}`;
const DIMENSIONS = 8;
const OPEN = new Set(['/healthz', '/readyz', '/metrics', '/docs', '/docs/json']);
const open = (_method: string, url: string) => OPEN.has(url);
/** What a guarded route answers a refused credential: 401 everywhere but where a service says otherwise. */
const refusedWith401 = (route: string) => (OPEN.has(route.split(' ')[1]!) ? undefined : [401]);

/** mobius-user's directory for the suite: one operator admitted by email (a fake behind the port). */
const directory: UserDirectory = {
  lookup: async (userId) => (userId === OPERATOR ? { status: 'active', email: 'ops@example.com', role: null } : undefined),
};
const OPERATOR = randomUUID();
const tokens = createTokenService({ secret: SECRET });
const policy: AccessPolicy = {
  mode: 'required',
  serviceToken: SERVICE_TOKEN,
  people: { tokens, directory, allowedEmails: ['ops@example.com'], allowedRoles: ['admin'] },
};

/**
 * Asserts what an attacker must see, and prints every answer (the report lists them). `refusal`: the
 * statuses a guarded route may answer a refused credential; undefined for an open route.
 */
function checkResults(results: ProbeResult[], refusal: (route: string) => number[] | undefined) {
  for (const r of results) {
    const where = `${r.service} ${r.route} [${r.probe}] -> ${r.status} ${r.body}`;
    expect(r.status, where).toBeLessThan(500);
    const refused = refusal(r.route);
    if (r.probe.startsWith('credential: ') && refused) expect(refused, where).toContain(r.status);
    if (r.probe === 'body: oversized') expect(r.status, where).toBe(413);
    if (r.probe.startsWith('body: ')) expect(r.status, where).toBeGreaterThanOrEqual(400);
    if (r.probe.startsWith('field ')) {
      expect(r.status, where).toBe(400);
      expect(r.body, where).toContain(r.probe.slice('field '.length).split(':')[0]);
    }
    if (r.probe === 'query: NUL') {
      expect(r.status, where).toBe(400);
      expect(r.body, where).toContain('query parameter filename');
    }
  }
  const summary = new Map<string, number[]>();
  for (const r of results) summary.set(r.probe, [...(summary.get(r.probe) ?? []), r.status]);
  console.info(
    [...summary]
      .map(([probe, statuses]) => `${results[0]?.service}: ${probe}: ${[...new Set(statuses)].sort().join('/')} on ${statuses.length} route(s)`)
      .join('\n'),
  );
}

/** Declares the suite; `full` sends every probe, else the smoke's subset. */
export function securitySuite(full: boolean): void {
  const ragDatabase = uniqueName('security_rag');
  const chatDatabase = uniqueName('security_chat');
  const warehouseDatabase = uniqueName('security_wh');
  const userDatabase = uniqueName('security_user');
  const userTokensDatabase = uniqueName('security_user_tok');
  const more: ProbedApp[] = [];
  let rag: RagTestService;
  let chat: ChatTestService;
  let index: EmbeddedServer;
  const indexDir = mkdtempSync(join(tmpdir(), 'mobius-security-'));

  beforeAll(async () => {
    await Promise.all([createDatabase(ragDatabase), createDatabase(chatDatabase)]);
    await migrateDatabase({ databaseUrl: testDatabaseUrl(ragDatabase), migrationsDir: 'services/rag/migrations' });
    await migrateDatabase({ databaseUrl: testDatabaseUrl(chatDatabase), migrationsDir: 'services/chat/migrations' });
    rag = createRagTestService({ databaseUrl: testDatabaseUrl(ragDatabase), dimensions: DIMENSIONS, access: policy, bodyLimitBytes: 64 * 1024 });
    chat = await createChatTestService({ databaseUrl: testDatabaseUrl(chatDatabase), dimensions: DIMENSIONS, secret: SECRET });
    index = await startVectorIndexServer({ dataDir: indexDir, dimensions: DIMENSIONS, access: policy });
  });

  afterAll(async () => {
    await rag?.close();
    await chat?.close();
    await index?.close();
    for (const app of more) await app.close();
    rmSync(indexDir, { recursive: true, force: true });
    await dropDatabases([ragDatabase, chatDatabase, warehouseDatabase, userDatabase, userTokensDatabase]);
  });

  it('rag: every API route refuses each bad credential with 401, and no probe of any route answers 500', async () => {
    const document = { filename: 'probe.md', display_name: 'Probe', text: '# Probe\n\nA paragraph to chunk.', payer: 'Probe Health' };
    const target: ProbeTarget = {
      name: 'rag',
      app: rag.app,
      jwtSecret: SECRET,
      goodAuthorization: `Bearer ${SERVICE_TOKEN}`,
      open,
      path: (url) => url.replace(':id', randomUUID()),
      body: (method, url) =>
        url.endsWith('/publish')
          ? { payload: { published_by: 'probe' }, field: 'published_by' }
          : method === 'POST' || method === 'PUT'
            ? { payload: document, field: full ? 'payer' : 'filename' }
            : undefined,
      bodyLimitBytes: 64 * 1024,
    };
    checkResults(await probeService(target, full), refusedWith401);
  });

  it('rag: admits the service token and an allowed person; refuses a valid token of anyone else with 403', async () => {
    const post = (authorization: string) => rag.app.inject({ method: 'GET', url: '/documents', headers: { authorization } });
    expect((await post(`Bearer ${SERVICE_TOKEN}`)).statusCode).toBe(200);
    expect((await post(`Bearer ${tokens.mintAccessToken({ userId: OPERATOR, tenantId: 't' })}`)).statusCode).toBe(200);
    const stranger = await post(`Bearer ${tokens.mintAccessToken({ userId: randomUUID(), tenantId: 't' })}`);
    expect(stranger.statusCode).toBe(401);
    expect(stranger.json().error.code).toBe('USER_INACTIVE');
  });

  it('chat: /v1/search refuses each bad token with 401, and no probe answers 500', async () => {
    const target: ProbeTarget = {
      name: 'chat',
      app: chat.app,
      jwtSecret: SECRET,
      goodAuthorization: `Bearer ${tokens.mintAccessToken({ userId: OPERATOR, tenantId: 't' })}`,
      open,
      path: (url) => url,
      body: () => ({ payload: { query: 'prior authorization', k: 3 }, field: 'query' }),
      bodyLimitBytes: 1024 * 1024,
    };
    const results = await probeService(target, full);
    // Chat has no service token: a service token is one more refused credential there.
    checkResults(results, refusedWith401);
  });

  it('vector index server: every Vertex route and extension refuses each bad credential with 401; other index 404; beyond float32 400', async () => {
    const base = '/v1/projects/p/locations/l';
    const target: ProbeTarget = {
      name: 'vector-index',
      app: index.app,
      jwtSecret: SECRET,
      goodAuthorization: `Bearer ${SERVICE_TOKEN}`,
      open,
      path: (url) =>
        url
          .replace(':project', 'p')
          .replace(':location', 'l')
          .replace(':indexId', 'mobius-rag')
          .replace('indexes/:target', 'indexes/mobius-rag:removeDatapoints')
          .replace('indexEndpoints/:target', 'indexEndpoints/mobius-rag-endpoint:readIndexDatapoints'),
      body: (_method, url) =>
        url.includes('indexEndpoints') ? { payload: { deployedIndexId: 'd', ids: [randomUUID()] }, field: 'deployedIndexId' } : undefined,
      bodyLimitBytes: 64 * 1024 * 1024,
    };
    checkResults(await probeService(target, full), refusedWith401);
    const auth = { authorization: `Bearer ${SERVICE_TOKEN}`, 'content-type': 'application/json' };
    const upsert = (indexId: string, value: number) =>
      index.app.inject({
        method: 'POST',
        url: `${base}/indexes/${indexId}:upsertDatapoints`,
        headers: auth,
        payload: { datapoints: [{ datapointId: randomUUID(), featureVector: [value, 0, 0, 0, 0, 0, 0, 1] }] },
      });
    const other = await upsert('another-index', 1);
    console.info(`vector-index: upsert to another index id -> ${other.statusCode} ${other.body}`);
    expect(other.statusCode).toBe(404);
    const huge = await upsert('mobius-rag', 3.5e38);
    console.info(`vector-index: featureVector value 3.5e38 -> ${huge.statusCode} ${huge.body}`);
    expect(huge.statusCode).toBe(400);
    expect((await upsert('mobius-rag', 0.5)).statusCode).toBe(200);
  });

  it('vertex-sync: its index views refuse each bad credential with 401, and no probe answers 500', async () => {
    const vertexSync = await vertexSyncApp({ chatDatabase, warehouseDatabase, dimensions: DIMENSIONS, access: policy });
    more.push(vertexSync);
    const target: ProbeTarget = {
      name: 'vertex-sync',
      app: vertexSync.app,
      jwtSecret: SECRET,
      goodAuthorization: `Bearer ${SERVICE_TOKEN}`,
      open,
      path: (url) => url,
      body: (method) => (method === 'POST' ? { payload: { ids: [randomUUID()] }, field: 'ids' } : undefined),
      bodyLimitBytes: 10 * 1024 * 1024,
    };
    const results = await probeService(target, full);
    expect(results.map((r) => r.route)).toEqual(expect.arrayContaining(['GET /index/datapoints', 'POST /index/datapoints:read']));
    checkResults(
      results.filter((r) => !r.probe.startsWith('field ')),
      refusedWith401,
    );
    // `ids` holds an array: a poisoned id is a string inside it, refused all the same.
    const poisoned = await vertexSync.app.inject({
      method: 'POST',
      url: '/index/datapoints:read',
      headers: { authorization: `Bearer ${SERVICE_TOKEN}` },
      payload: { ids: ['a\u0000b'] },
    });
    console.info(`vertex-sync: NUL in ids -> ${poisoned.statusCode} ${poisoned.body}`);
    expect(poisoned.statusCode).toBe(400);
    expect(poisoned.body).toContain('ids');
  });

  it('console: /api/status refuses each bad credential with 401, the page sends it to sign in (303), and no probe answers 500', async () => {
    const console_ = consoleApp(policy);
    more.push(console_);
    const signIn = new Set(['/login', '/logout']);
    const target: ProbeTarget = {
      name: 'console',
      app: console_.app,
      jwtSecret: SECRET,
      goodAuthorization: `Bearer ${SERVICE_TOKEN}`,
      open: (_method, url) => OPEN.has(url) || signIn.has(url),
      path: (url) => url,
      body: (method, url) => (url === '/login' && method === 'POST' ? { payload: { token: 'not-a-token' }, field: 'token' } : undefined),
      bodyLimitBytes: 16 * 1024,
    };
    const results = await probeService(target, full);
    expect(results.map((r) => r.route)).toEqual(expect.arrayContaining(['GET /', 'GET /api/status', 'POST /login']));
    // Sign-out reads no body: valid JSON that is not an object signs out all the same (303 to /login).
    const signOut = (r: ProbeResult) => r.route === 'POST /logout' && ['body: not an object', 'body: deeply nested'].includes(r.probe);
    expect(results.filter(signOut).map((r) => r.status)).toEqual([303, 303]);
    checkResults(
      results.filter((r) => !signOut(r)),
      (route) => {
        const url = route.split(' ')[1]!;
        if (OPEN.has(url) || signIn.has(url)) return undefined;
        return url === '/' ? [303] : [401];
      },
    );
    const person = await console_.app.inject({
      method: 'GET',
      url: '/api/status',
      headers: { authorization: `Bearer ${tokens.mintAccessToken({ userId: OPERATOR, tenantId: 't' })}` },
    });
    expect(person.statusCode).toBe(200);
  });

  it("user: the Bearer and directory routes refuse each bad credential (401, or 403 for the directory's writers, as {detail}), and no probe answers 500", async () => {
    const user = await userApp({ database: userDatabase, secret: SECRET });
    more.push(user);
    // Public as in the original: sign-in, and the lifecycle routes whose single-use token is the credential.
    const publicAuth = new Set([
      '/health',
      '/api/v1/auth/register',
      '/api/v1/auth/login',
      '/api/v1/auth/google',
      '/api/v1/auth/refresh',
      '/api/v1/auth/logout',
      '/api/v1/auth/password-reset/request',
      '/api/v1/auth/password-reset/confirm',
      '/api/v1/auth/set-password',
      '/api/v1/auth/token-info',
      '/api/v1/auth/handoff/redeem',
      '/api/v1/auth/check-email',
      '/api/v1/auth/activities',
    ]);
    const body = {
      email: 'probe@example.com',
      password: 'probe-password-123',
      display_name: 'Probe',
      refresh_token: 'x',
      id_token: 'x',
      roles: ['billing'],
      token: 'x',
      new_password: 'probe-password-456',
      code: 'x',
      surface: 'probe',
      alias: 'probe',
      capability: 'probe',
      name: 'probe',
    };
    const target: ProbeTarget = {
      name: 'user',
      app: user.app,
      jwtSecret: SECRET,
      goodAuthorization: `Bearer ${user.accessToken}`,
      open: (_method, url) => OPEN.has(url) || publicAuth.has(url),
      path: (url) =>
        url.replace(':user_id', randomUUID()).replace(':org_slug', 'acme-clinic').replace(':capability', 'approve_claims').replace(':alias', 'sam'),
      body: (method) => (method === 'POST' || method === 'PUT' ? { payload: body, field: 'display_name' } : undefined),
      bodyLimitBytes: 64 * 1024,
    };
    const results = await probeService(target, full);
    expect(results.map((r) => r.route)).toEqual(
      expect.arrayContaining([
        'GET /api/v1/auth/me',
        'PUT /api/v1/users/:user_id/orgs/:org_slug',
        'POST /api/v1/auth/password-reset/request',
        'POST /api/v1/auth/handoff/mint',
        'GET /api/v1/auth/token-info',
        'POST /api/v1/users/invite',
        'DELETE /api/v1/users/:user_id/capabilities/:capability',
        'POST /api/v1/access-beacon',
      ]),
    );
    checkResults(results, (route) => {
      const url = route.split(' ')[1]!;
      if (OPEN.has(url) || publicAuth.has(url)) return undefined;
      return url.startsWith('/api/v1/users') ? [401, 403] : [401];
    });
    for (const r of results.filter((result) => result.probe.startsWith('credential: ') && result.status >= 400)) {
      expect(JSON.parse(r.body), `${r.route} [${r.probe}]`).toHaveProperty('detail');
    }
  });

  it('user: reset, invite and hand-off tokens that are forged, expired, used or of another purpose are a 400 naming why; the reset request tells nothing', async () => {
    const user = await userApp({ database: userTokensDatabase, secret: SECRET });
    more.push(user);
    const call = async (method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) => {
      const response = await user.app.inject({ method, url: `/api/v1/auth${url}`, ...(payload ? { payload } : {}) });
      expect(response.statusCode, `${method} ${url} ${response.body}`).toBeLessThan(500);
      return { status: response.statusCode, body: response.json() as Record<string, unknown> };
    };
    const password = 'a-new-probe-password';
    const forged = ['x', 'A'.repeat(43), `${'A'.repeat(42)}=`, '../../etc/passwd', "' OR 1=1 --", '‮gnp.exe', '😀'.repeat(20)];
    for (const token of forged) {
      expect(await call('POST', '/password-reset/confirm', { token, new_password: password })).toEqual({
        status: 400,
        body: { detail: 'token_invalid' },
      });
      expect(await call('POST', '/set-password', { token, new_password: password })).toEqual({ status: 400, body: { detail: 'token_invalid' } });
      expect(await call('POST', '/handoff/redeem', { code: token })).toEqual({ status: 400, body: { detail: 'token_invalid' } });
      expect(await call('GET', `/token-info?token=${encodeURIComponent(token)}`)).toEqual({
        status: 200,
        body: { valid: false, error: 'token_invalid' },
      });
    }
    // A hand-off code (the probe user's own) used as a reset or invite token, then twice, then expired.
    const minted = await user.app.inject({
      method: 'POST',
      url: '/api/v1/auth/handoff/mint',
      headers: { authorization: `Bearer ${user.accessToken}` },
    });
    const code = (minted.json() as { code: string }).code;
    expect(await call('POST', '/password-reset/confirm', { token: code, new_password: password })).toEqual({
      status: 400,
      body: { detail: 'token_invalid' },
    });
    expect(await call('POST', '/set-password', { token: code, new_password: password })).toEqual({ status: 400, body: { detail: 'token_invalid' } });
    expect((await call('POST', '/handoff/redeem', { code })).status).toBe(200);
    expect(await call('POST', '/handoff/redeem', { code })).toEqual({ status: 400, body: { detail: 'token_consumed' } });
    const late = (
      (
        await user.app.inject({ method: 'POST', url: '/api/v1/auth/handoff/mint', headers: { authorization: `Bearer ${user.accessToken}` } })
      ).json() as { code: string }
    ).code;
    await user.service.pool.query(
      `UPDATE user_ext.auth_token SET expires_at = (now() AT TIME ZONE 'UTC') - interval '1 second' WHERE consumed_at IS NULL`,
    );
    expect(await call('POST', '/handoff/redeem', { code: late })).toEqual({ status: 400, body: { detail: 'token_expired' } });
    // Minting needs a valid access token: the forged, expired and refresh-typed tokens of the credential probes are refused.
    for (const [name, authorization] of Object.entries(refusedCredentials(SECRET))) {
      const response = await user.app.inject({ method: 'POST', url: '/api/v1/auth/handoff/mint', headers: authorization ? { authorization } : {} });
      expect(response.statusCode, name).toBe(401);
    }
    // The reset request answers the same for an account, a stranger and garbage that passes the shape.
    for (const email of ['probe-user@example.com', 'nobody@example.com', 'not an email', '']) {
      expect(await call('POST', '/password-reset/request', { email })).toEqual({ status: 202, body: { ok: true } });
    }
    await user.service.settled();
  });
}
