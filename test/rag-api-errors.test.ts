// Every bad request to the rag API answers its 4xx with a stable code naming the problem, and writes
// nothing: no document, chunk, embedding, published row, publish event or version is touched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRagTestService, type RagTestService } from '../services/rag/src/testing/harness.ts';
import { createMigratedDatabase, dropDatabases, testDatabaseUrl, uniqueName } from './support/databases.ts';

const DIMENSIONS = 16;
const BODY_LIMIT_BYTES = 64 * 1024;
const database = uniqueName('rag_api_err');
let rag: RagTestService;
/** A published document, and documents whose stored embeddings were damaged after upload. */
const ids = { good: '', wrongDimension: '', nan: '', nullValue: '', outOfRange: '', notArray: '' };
const UNKNOWN = '00000000-0000-4000-8000-00000000abcd';
const TABLES = [
  'documents',
  'document_pages',
  'hierarchical_chunks',
  'chunk_embeddings',
  'rag_published_embeddings',
  'publish_events',
  'document_versions',
];

const TEXT = '## Section\n\nA paragraph that is long enough to be one chunk of its own.\n\nAnother paragraph, also long enough to stand alone here.';
const doc = (overrides: Record<string, unknown> = {}) => ({ filename: 'policy.md', text: TEXT, ...overrides });

/** A digest of every row of every rag table: equal digests mean nothing was written. */
async function fingerprint(): Promise<Record<string, string>> {
  const digests: Record<string, string> = {};
  for (const table of TABLES) {
    const result = await rag.pool.query(
      `SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') AS d FROM ${table} t`,
    );
    digests[table] = result.rows[0].d;
  }
  return digests;
}

async function uploadAndDamage(damage: string): Promise<string> {
  const response = await rag.app.inject({ method: 'POST', url: '/documents', payload: doc() });
  const id = response.json().document_id as string;
  await rag.pool.query(
    `UPDATE chunk_embeddings SET embedding = ${damage} WHERE id = (SELECT min(id::text)::uuid FROM chunk_embeddings WHERE document_id = $1)`,
    [id],
  );
  return id;
}

beforeAll(async () => {
  await createMigratedDatabase(database, 'rag');
  rag = createRagTestService({ databaseUrl: testDatabaseUrl(database), dimensions: DIMENSIONS, bodyLimitBytes: BODY_LIMIT_BYTES });
  ids.good = (await rag.app.inject({ method: 'POST', url: '/documents', payload: doc() })).json().document_id;
  expect((await rag.app.inject({ method: 'POST', url: `/documents/${ids.good}/publish` })).statusCode).toBe(200);
  ids.wrongDimension = await uploadAndDamage(`(embedding - 0)`);
  ids.nan = await uploadAndDamage(`jsonb_set(embedding, '{3}', '"NaN"')`);
  ids.nullValue = await uploadAndDamage(`jsonb_set(embedding, '{0}', 'null')`);
  ids.outOfRange = await uploadAndDamage(`jsonb_set(embedding, '{5}', '1e400')`);
  ids.notArray = await uploadAndDamage(`'{"values": []}'::jsonb`);
});

afterAll(async () => {
  await rag?.close();
  await dropDatabases([database]);
});

interface BadRequest {
  name: string;
  method: 'POST' | 'PUT' | 'GET' | 'DELETE';
  url: () => string;
  payload?: unknown;
  raw?: string;
  status: number;
  code: string;
  /** The message must contain this (the field it names, or the reason). */
  mentions?: string;
}

const post = (name: string, payload: unknown, status: number, code: string, mentions?: string): BadRequest => ({
  name,
  method: 'POST',
  url: () => '/documents',
  payload,
  status,
  code,
  ...(mentions ? { mentions } : {}),
});
const publishOf = (name: string, id: () => string, code: string, mentions: string, payload?: unknown): BadRequest => ({
  name,
  method: 'POST',
  url: () => `/documents/${id()}/publish`,
  status: code === 'EMBEDDING_INVALID' ? 422 : code === 'DOCUMENT_NOT_FOUND' ? 404 : 400,
  code,
  mentions,
  ...(payload === undefined ? {} : { payload }),
});

const CASES: BadRequest[] = [
  {
    name: 'malformed JSON',
    method: 'POST',
    url: () => '/documents',
    raw: '{"filename": "a.md", "text": ',
    status: 400,
    code: 'FST_ERR_CTP_INVALID_JSON_BODY',
  },
  { name: 'empty JSON body', method: 'POST', url: () => '/documents', raw: '', status: 400, code: 'FST_ERR_CTP_EMPTY_JSON_BODY' },
  post('a body that is not an object', [doc()], 400, 'INVALID_BODY', 'body'),
  post('missing filename', { text: TEXT }, 400, 'INVALID_BODY', 'filename is required'),
  post('missing text', { filename: 'a.md' }, 400, 'INVALID_BODY', 'text is required'),
  post('empty text', doc({ text: '' }), 400, 'INVALID_BODY', 'text must not be empty'),
  post('whitespace text', doc({ text: ' \n\t\n ' }), 400, 'INVALID_BODY', 'text must not be empty'),
  post('text that is not a string', doc({ text: 42 }), 400, 'INVALID_BODY', 'text'),
  post('text with a NUL character', doc({ text: `${TEXT}\u0000` }), 400, 'INVALID_BODY', 'text'),
  post('only headings, no paragraph', doc({ text: '# Title\n\n## Section\n' }), 400, 'DOCUMENT_EMPTY', 'text'),
  post('a 3-letter state', doc({ state: 'FLA' }), 400, 'INVALID_BODY', 'state'),
  post('a state with a digit', doc({ state: 'F1' }), 400, 'INVALID_BODY', 'state'),
  post('a filename over 255 characters', doc({ filename: `${'f'.repeat(253)}.md` }), 400, 'INVALID_BODY', 'filename'),
  post('a payer over 100 characters', doc({ payer: 'p'.repeat(101) }), 400, 'INVALID_BODY', 'payer'),
  post('a display name over 255 characters', doc({ display_name: 'd'.repeat(256) }), 400, 'INVALID_BODY', 'display_name'),
  post('an effective date over 20 characters', doc({ effective_date: '2026-01-01 and after' + '!' }), 400, 'INVALID_BODY', 'effective_date'),
  post('a program that is not a string', doc({ program: ['MMA'] }), 400, 'INVALID_BODY', 'program'),
  post('an oversized body', doc({ text: `${TEXT}\n\n${'word '.repeat(BODY_LIMIT_BYTES / 5)}` }), 413, 'FST_ERR_CTP_BODY_TOO_LARGE'),
  {
    name: 'PUT of an unknown document',
    method: 'PUT',
    url: () => `/documents/${UNKNOWN}`,
    payload: doc(),
    status: 404,
    code: 'DOCUMENT_NOT_FOUND',
    mentions: UNKNOWN,
  },
  {
    name: 'PUT with whitespace text',
    method: 'PUT',
    url: () => `/documents/${ids.good}`,
    payload: doc({ text: '   ' }),
    status: 400,
    code: 'INVALID_BODY',
    mentions: 'text',
  },
  {
    name: 'PUT with a bad id',
    method: 'PUT',
    url: () => '/documents/not-a-uuid',
    payload: doc(),
    status: 400,
    code: 'INVALID_DOCUMENT_ID',
    mentions: 'id',
  },
  publishOf('publish of an unknown document', () => UNKNOWN, 'DOCUMENT_NOT_FOUND', UNKNOWN),
  publishOf('publish with a bad id', () => '12345', 'INVALID_DOCUMENT_ID', 'id'),
  publishOf('publish with published_by not a string', () => ids.good, 'INVALID_BODY', 'published_by', { published_by: 7 }),
  publishOf('publish with published_by too long', () => ids.good, 'INVALID_BODY', 'published_by', { published_by: 'x'.repeat(256) }),
  {
    name: 'publish with malformed JSON',
    method: 'POST',
    url: () => `/documents/${ids.good}/publish`,
    raw: '{',
    status: 400,
    code: 'FST_ERR_CTP_INVALID_JSON_BODY',
  },
  publishOf(
    'publish of an embedding of the wrong dimension',
    () => ids.wrongDimension,
    'EMBEDDING_INVALID',
    `has ${DIMENSIONS - 1} dimensions, expected ${DIMENSIONS}`,
  ),
  publishOf('publish of an embedding holding "NaN"', () => ids.nan, 'EMBEDDING_INVALID', 'not a finite number'),
  publishOf('publish of an embedding holding null', () => ids.nullValue, 'EMBEDDING_INVALID', 'not a finite number'),
  publishOf('publish of an embedding beyond a double', () => ids.outOfRange, 'EMBEDDING_INVALID', 'not a finite number'),
  publishOf('publish of an embedding that is not an array', () => ids.notArray, 'EMBEDDING_INVALID', 'not an array'),
  { name: 'unpublish of an unknown document', method: 'POST', url: () => `/documents/${UNKNOWN}/unpublish`, status: 404, code: 'DOCUMENT_NOT_FOUND' },
  { name: 'delete of an unknown document', method: 'DELETE', url: () => `/documents/${UNKNOWN}`, status: 404, code: 'DOCUMENT_NOT_FOUND' },
  { name: 'delete with a bad id', method: 'DELETE', url: () => '/documents/zzz', status: 400, code: 'INVALID_DOCUMENT_ID' },
  {
    name: 'publish-status of an unknown document',
    method: 'GET',
    url: () => `/documents/${UNKNOWN}/publish-status`,
    status: 404,
    code: 'DOCUMENT_NOT_FOUND',
  },
];

describe('bad requests to the rag API', () => {
  it.each(CASES)('$name -> $status $code, nothing written', async (bad) => {
    const before = await fingerprint();
    const response = await rag.app.inject({
      method: bad.method,
      url: bad.url(),
      ...(bad.raw !== undefined
        ? { payload: bad.raw, headers: { 'content-type': 'application/json' } }
        : bad.payload === undefined
          ? {}
          : { payload: bad.payload as object }),
    });
    expect(response.statusCode, response.body).toBe(bad.status);
    const error = response.json().error;
    expect(error.code).toBe(bad.code);
    if (bad.mentions) expect(error.message).toContain(bad.mentions);
    expect(await fingerprint()).toEqual(before);
  });

  it('leaves the version counter untouched, so the next good publish takes the next version', async () => {
    const response = await rag.app.inject({ method: 'POST', url: `/documents/${ids.good}/publish` });
    expect(response.json().document_version).toBe(2);
    const refused = await rag.app.inject({ method: 'POST', url: `/documents/${ids.nan}/publish` });
    expect(refused.statusCode).toBe(422);
    const events = await rag.pool.query('SELECT count(*)::int AS n FROM publish_events WHERE document_id = $1', [ids.nan]);
    expect(events.rows[0].n).toBe(0);
  });
});
