// Every HTTP service serves its OpenAPI document at /docs/json (and a page at /docs), generated from its
// routes by buildServiceApp (libs/service/src/openapi.ts): open without a credential while the API stays
// guarded, listing every route the app has, and for rag the summaries and bodies of docs/api/rag.md.
// The apps are built in process as the security suite builds them; rag and chat get databases of their
// own, migrated (nothing here needs a row), the user service its own migrated database.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccessPolicy } from '@mobius/auth';
import { migrateDatabase } from '@mobius/db';
import { routesOf } from '@mobius/service';
import { startVectorIndexServer, type EmbeddedServer } from '@mobius/vector-index-server';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatTestService, type ChatTestService } from '../services/chat/src/testing/harness.ts';
import { createRagTestService, type RagTestService } from '../services/rag/src/testing/harness.ts';
import { createDatabase, dropDatabases, testDatabaseUrl, uniqueName } from './support/databases.ts';
import { consoleApp, userApp, type ProbedApp } from './security/support/more-services.ts';

const SECRET = 'openapi-test-secret';
const SERVICE_TOKEN = `openapi-test-token-${randomUUID()}`;
const access: AccessPolicy = { mode: 'required', serviceToken: SERVICE_TOKEN };
const DIMENSIONS = 8;

interface OpenApiDocument {
  openapi: string;
  info: { title: string };
  paths: Record<
    string,
    Record<
      string,
      {
        summary?: string;
        tags?: string[];
        requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown>; required?: string[] } }> };
        responses: Record<string, unknown>;
      }
    >
  >;
}

/** GET /docs/json with no credential at all. */
async function documentOf(app: FastifyInstance): Promise<OpenApiDocument> {
  const answer = await app.inject({ method: 'GET', url: '/docs/json' });
  expect(answer.statusCode, answer.body).toBe(200);
  return answer.json() as OpenApiDocument;
}

/** Every route the app has, as `METHOD /path/{param}`, but the document's own routes and catch-alls. */
function routesIn(app: FastifyInstance): string[] {
  return routesOf(app)
    .filter((r) => !r.url.startsWith('/docs') && !r.url.includes('*'))
    .map((r) => `${r.method} ${r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`)
    .sort();
}

/** Every operation the document lists, as `METHOD /path`. */
function operationsIn(doc: OpenApiDocument): string[] {
  return Object.entries(doc.paths)
    .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
    .filter((op) => !op.startsWith('HEAD '))
    .sort();
}

describe('OpenAPI at /docs', () => {
  const ragDatabase = uniqueName('openapi_rag');
  const chatDatabase = uniqueName('openapi_chat');
  const userDatabase = uniqueName('openapi_user');
  let rag: RagTestService;
  let chat: ChatTestService;
  let user: ProbedApp;
  let consoleService: ProbedApp;
  let index: EmbeddedServer;
  const indexDir = mkdtempSync(join(tmpdir(), 'mobius-openapi-'));

  beforeAll(async () => {
    await Promise.all([createDatabase(ragDatabase), createDatabase(chatDatabase)]);
    await migrateDatabase({ databaseUrl: testDatabaseUrl(ragDatabase), migrationsDir: 'services/rag/migrations' });
    await migrateDatabase({ databaseUrl: testDatabaseUrl(chatDatabase), migrationsDir: 'services/chat/migrations' });
    rag = createRagTestService({ databaseUrl: testDatabaseUrl(ragDatabase), dimensions: DIMENSIONS, access });
    chat = await createChatTestService({ databaseUrl: testDatabaseUrl(chatDatabase), dimensions: DIMENSIONS, secret: SECRET });
    user = await userApp({ database: userDatabase, secret: SECRET });
    consoleService = consoleApp(access);
    index = await startVectorIndexServer({ dataDir: indexDir, dimensions: DIMENSIONS, access });
  }, 60_000);

  afterAll(async () => {
    await rag?.close();
    await chat?.close();
    await user?.close();
    await consoleService?.close();
    await index?.close();
    rmSync(indexDir, { recursive: true, force: true });
    await dropDatabases([ragDatabase, chatDatabase, userDatabase]);
  });

  it('rag: lists every route with its summary and body, open while the API answers 401 without a credential', async () => {
    const doc = await documentOf(rag.app);
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info.title).toBe('rag-test API');
    expect(operationsIn(doc)).toEqual(routesIn(rag.app));
    expect(operationsIn(doc)).toEqual(
      expect.arrayContaining([
        'GET /documents',
        'POST /documents',
        'PUT /documents/{id}',
        'POST /documents/{id}/publish',
        'POST /documents/{id}/unpublish',
        'DELETE /documents/{id}',
        'GET /documents/{id}/publish-status',
      ]),
    );
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        if (path.startsWith('/documents')) expect(operation.summary, `${method} ${path}`).toBeTruthy();
      }
    }
    const upload = doc.paths['/documents']!.post!.requestBody!.content['application/json']!.schema;
    expect(upload.required).toEqual(['filename', 'text']);
    expect(Object.keys(upload.properties!)).toEqual(
      expect.arrayContaining(['filename', 'display_name', 'text', 'payer', 'state', 'program', 'authority_level']),
    );
    expect(Object.keys(doc.paths['/documents/{id}/publish']!.post!.responses)).toEqual(expect.arrayContaining(['200', '404', '422', '401']));
    expect((await rag.app.inject({ method: 'GET', url: '/documents' })).statusCode).toBe(401);
    expect((await rag.app.inject({ method: 'GET', url: '/documents', headers: { authorization: `Bearer ${SERVICE_TOKEN}` } })).statusCode).toBe(200);
  });

  it('rag: documenting the routes changed no answer: a body the document calls wrong is still refused by the handler, as before', async () => {
    const answer = await rag.app.inject({
      method: 'POST',
      url: '/documents',
      headers: { authorization: `Bearer ${SERVICE_TOKEN}` },
      payload: { filename: 'x.md', text: 'A paragraph.', unexpected: 1, state: 'fl' },
    });
    expect(answer.statusCode).toBe(201);
    const bad = await rag.app.inject({
      method: 'POST',
      url: '/documents',
      headers: { authorization: `Bearer ${SERVICE_TOKEN}` },
      payload: { text: 'x' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ error: { code: 'INVALID_BODY', message: 'filename is required' } });
  });

  it('/docs is a page naming the JSON document, without a credential', async () => {
    const page = await rag.app.inject({ method: 'GET', url: '/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('/docs/json');
  });

  it('chat, user, the console and the vector index server list every route they have', async () => {
    for (const [name, app] of [
      ['chat', chat.app],
      ['user', user.app],
      ['console', consoleService.app],
      ['vector-index', index.app],
    ] as const) {
      const doc = await documentOf(app as FastifyInstance);
      expect([name, operationsIn(doc)]).toEqual([name, routesIn(app as FastifyInstance)]);
    }
    const search = (await documentOf(chat.app)).paths['/v1/search']!.post!;
    expect(search.summary).toBe('Search the published chunks');
    expect(Object.keys(search.requestBody!.content['application/json']!.schema.properties!)).toEqual(['query', 'vector', 'k', 'filters']);
    expect(operationsIn(await documentOf(user.app))).toEqual(
      expect.arrayContaining(['POST /api/v1/auth/login', 'POST /api/v1/auth/register', 'GET /api/v1/auth/me']),
    );
  });
});
