// chat's POST /v1/search on a real Postgres (a migrated Chat database) and the memory vector index,
// with rows published as the pipeline publishes them: the Chat row in published_rag_metadata and a
// datapoint made by toDatapoint from an embedding of the local embedder rag uses (docs/api/chat.md;
// docs/contracts.md, "Chat's database" and "The vector index").
import { randomUUID } from 'node:crypto';
import type { PublishedRow } from '@mobius/contracts';
import { publishedRow } from '@mobius/warehouse/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatTestService, type ChatTestService } from '../services/chat/src/testing/harness.ts';
import { createMigratedDatabase, dropDatabases, testDatabaseUrl, uniqueName } from './support/databases.ts';

const DIMENSIONS = 256;
const SECRET = 'chat-search-test-secret';
const database = uniqueName('chat_search');
let chat: ChatTestService;
let token: string;

const PARAGRAPHS = {
  mri: 'MRI and CT imaging require prior authorization before the scan is scheduled.',
  grievance: 'Members may file a grievance within 60 days of the adverse decision.',
  claims: 'Claims must be submitted within 180 days of the date of service.',
  pharmacy: 'Specialty pharmacy drugs are dispensed through the preferred network pharmacy.',
  dental: 'Dental cleanings are covered twice per calendar year for children.',
};

interface Publisher {
  payer: string;
  state: string;
  program: string;
  authority: string;
}

const PAYERS: Publisher[] = [
  { payer: 'Sunshine Health', state: 'FL', program: 'Medicaid', authority: 'payer_policy' },
  { payer: 'Humana', state: 'FL', program: 'MMA', authority: 'contract_source_of_truth' },
  { payer: 'Aetna Better Health', state: 'TX', program: 'Medicaid', authority: 'payer_website' },
];

/** One document of `publisher` with one chunk per paragraph, embedded as rag embeds (summary, newline, text). */
async function documentOf(publisher: Publisher, texts: string[]): Promise<PublishedRow[]> {
  const documentId = randomUUID();
  const rows = texts.map((text, i) =>
    publishedRow(
      documentId,
      {
        text,
        summary: '',
        page_number: 1 + Math.floor(i / 3),
        paragraph_index: i % 3,
        section_path: `Section ${i}`,
        document_filename: `${publisher.payer.toLowerCase().replace(/ /g, '-')}.md`,
        document_display_name: `${publisher.payer} Manual`,
        document_payer: publisher.payer,
        document_state: publisher.state,
        document_program: publisher.program,
        document_authority_level: publisher.authority,
      },
      DIMENSIONS,
    ),
  );
  const vectors = await chat.embedder.embed(rows.map((row) => `${row.summary}\n${row.text}`));
  return rows.map((row, i) => ({ ...row, embedding: vectors[i]! }));
}

async function publish(rows: PublishedRow[]): Promise<PublishedRow[]> {
  await chat.insertRows(rows);
  await chat.indexRows(rows);
  return rows;
}

async function search(body: unknown) {
  const response = await chat.app.inject({
    method: 'POST',
    url: '/v1/search',
    headers: { authorization: `Bearer ${token}` },
    payload: body as object,
  });
  return { status: response.statusCode, body: response.json() };
}

async function results(body: Record<string, unknown>): Promise<Array<Record<string, unknown>>> {
  const response = await search(body);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.results;
}

const published: Record<string, PublishedRow[]> = {};

beforeAll(async () => {
  await createMigratedDatabase(database, 'chat');
  chat = await createChatTestService({ databaseUrl: testDatabaseUrl(database), dimensions: DIMENSIONS, secret: SECRET });
  token = chat.tokens.mintAccessToken({ userId: randomUUID(), tenantId: randomUUID() });
  for (const publisher of PAYERS) published[publisher.payer] = await publish(await documentOf(publisher, Object.values(PARAGRAPHS)));
});

afterAll(async () => {
  await chat?.close();
  await dropDatabases([database]);
});

describe('POST /v1/search', () => {
  it('returns the semantically closest paragraph first, with its score in (0, 1] and every listed field', async () => {
    const found = await results({ query: 'does an MRI scan need prior authorization?', filters: { document_payer: 'Sunshine Health' } });
    const mri = published['Sunshine Health']!.find((row) => row.text === PARAGRAPHS.mri)!;
    expect(found[0]).toEqual({
      id: mri.id,
      document_id: mri.document_id,
      source_type: 'hierarchical',
      source_id: mri.source_id,
      text: PARAGRAPHS.mri,
      page_number: mri.page_number,
      paragraph_index: mri.paragraph_index,
      section_path: mri.section_path,
      chapter_path: mri.chapter_path,
      summary: '',
      document_display_name: 'Sunshine Health Manual',
      document_filename: 'sunshine-health.md',
      document_payer: 'Sunshine Health',
      document_state: 'FL',
      document_program: 'Medicaid',
      document_authority_level: 'payer_policy',
      document_effective_date: mri.document_effective_date,
      document_termination_date: '',
      updated_at: '2026-01-02T03:04:06.654321Z',
      score: expect.any(Number),
    });
    const scores = found.map((result) => result.score as number);
    expect(scores[0]).toBeGreaterThan(0);
    expect(scores[0]).toBeLessThanOrEqual(1);
    expect(scores[0]).toBeGreaterThan(scores[1]!);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  it('ranks by the given vector when one is sent instead of a query (score 1 for the same vector)', async () => {
    const grievance = published.Humana!.find((row) => row.text === PARAGRAPHS.grievance)!;
    const found = await results({ vector: grievance.embedding, k: 3, filters: { document_payer: 'Humana' } });
    expect(found[0]).toMatchObject({ id: grievance.id, text: PARAGRAPHS.grievance });
    expect(found[0]!.score).toBeCloseTo(1, 9);
  });

  it('a payer filter never returns another payer’s chunks, even for a text every payer has', async () => {
    for (const { payer } of PAYERS) {
      const found = await results({ query: PARAGRAPHS.mri, k: 100, filters: { document_payer: payer } });
      expect(found.map((result) => result.id).sort()).toEqual(published[payer]!.map((row) => row.id).sort());
      expect(new Set(found.map((result) => result.document_payer))).toEqual(new Set([payer]));
    }
    expect(await results({ query: PARAGRAPHS.mri, filters: { document_payer: 'humana' } })).toEqual([]);
  });

  it('combines filters (each one an allow-list restrict) and treats null as no filter', async () => {
    const medicaid = await results({ query: PARAGRAPHS.claims, k: 100, filters: { document_program: 'Medicaid', document_payer: null } });
    expect(new Set(medicaid.map((result) => result.document_payer))).toEqual(new Set(['Sunshine Health', 'Aetna Better Health']));
    const texasMedicaid = await results({ query: PARAGRAPHS.claims, k: 100, filters: { document_program: 'Medicaid', document_state: 'TX' } });
    expect(texasMedicaid.map((result) => result.id).sort()).toEqual(published['Aetna Better Health']!.map((row) => row.id).sort());
    const contracts = await results({
      query: PARAGRAPHS.claims,
      k: 100,
      filters: { document_authority_level: 'contract_source_of_truth', source_type: 'hierarchical' },
    });
    expect(contracts).toHaveLength(Object.keys(PARAGRAPHS).length);
    expect(await results({ query: PARAGRAPHS.claims, filters: { source_type: 'fact' } })).toEqual([]);
  });

  it('drops a hit whose row Chat does not have, keeping the rank of the rest', async () => {
    const [orphan] = await documentOf({ payer: 'Orphan Health', state: 'GA', program: 'Medicaid', authority: 'payer_policy' }, [PARAGRAPHS.dental]);
    await chat.indexRows([orphan!]);
    expect(await results({ query: PARAGRAPHS.dental, filters: { document_payer: 'Orphan Health' } })).toEqual([]);
    const all = await results({ query: PARAGRAPHS.dental, k: 4 });
    expect(all.map((result) => result.id)).not.toContain(orphan!.id);
    expect(all).toHaveLength(3);
    expect(new Set(all.map((result) => result.text))).toEqual(new Set([PARAGRAPHS.dental]));
  });

  it('drops a hit whose Chat row no longer matches the filter when the index lags behind Chat', async () => {
    const [row] = await documentOf({ payer: 'Humana', state: 'FL', program: 'MMA', authority: 'payer_policy' }, [
      'Lagging index paragraph about vision exams.',
    ]);
    await chat.indexRows([row!]);
    await chat.insertRows([{ ...row!, document_payer: 'Molina' }]);
    const found = await results({ query: 'vision exams', k: 100, filters: { document_payer: 'Humana' } });
    expect(found.map((result) => result.id)).not.toContain(row!.id);
    expect((await results({ query: 'vision exams', k: 1 }))[0]).toMatchObject({ id: row!.id, document_payer: 'Molina' });
  });

  it('honours k: 1, 3, the default 10, and 100 when fewer rows match', async () => {
    expect(await results({ query: PARAGRAPHS.pharmacy, k: 1 })).toHaveLength(1);
    expect(await results({ query: PARAGRAPHS.pharmacy, k: 3 })).toHaveLength(3);
    expect(await results({ query: PARAGRAPHS.pharmacy })).toHaveLength(10);
    expect(await results({ query: PARAGRAPHS.pharmacy, k: 100, filters: { document_state: 'TX' } })).toHaveLength(5);
  });
});

describe('bad bodies: 400 INVALID_BODY naming the field', () => {
  const vector = (length: number) => Array.from({ length }, (_, i) => (i === 0 ? 1 : 0));
  const cases: Array<[string, unknown, RegExp]> = [
    ['no query nor vector', {}, /^query is required/],
    ['an empty query', { query: '   ' }, /^query must not be empty/],
    ['a query that is not a string', { query: 42 }, /^query must be a string/],
    ['both query and vector', { query: 'x', vector: vector(DIMENSIONS) }, /query and vector are exclusive/],
    ['a vector of the wrong length', { vector: vector(DIMENSIONS - 1) }, new RegExp(`^vector must have exactly ${DIMENSIONS} numbers`)],
    ['a vector holding a string', { vector: [...vector(DIMENSIONS - 1), 'x'] }, new RegExp(`^vector\\[${DIMENSIONS - 1}\\] must be a finite number`)],
    ['k of 0', { query: 'x', k: 0 }, /^k must be at least 1/],
    ['k above 100', { query: 'x', k: 101 }, /^k must be at most 100/],
    ['a fractional k', { query: 'x', k: 2.5 }, /^k must be an integer/],
    ['k as a string', { query: 'x', k: '5' }, /^k must be an integer/],
    ['an unknown filter', { query: 'x', filters: { document_payr: 'Humana' } }, /^filters\.document_payr is not a known field/],
    ['a filter that is not a string', { query: 'x', filters: { document_payer: 5 } }, /^filters\.document_payer must be a string/],
    ['filters that are not an object', { query: 'x', filters: 'Humana' }, /^filters must be a JSON object/],
    ['an unknown field', { query: 'x', filter: { document_payer: 'Humana' } }, /^filter is not a known field/],
    ['a body that is not an object', ['x'], /^body must be a JSON object/],
  ];
  for (const [what, body, message] of cases) {
    it(what, async () => {
      const response = await search(body);
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('INVALID_BODY');
      expect(response.body.error.message).toMatch(message);
    });
  }

  it('a vector number too large for a double (JSON 1e400) is not finite', async () => {
    const payload = `{"vector":[1e400${',0'.repeat(DIMENSIONS - 1)}]}`;
    const response = await chat.app.inject({
      method: 'POST',
      url: '/v1/search',
      payload,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toMatch(/^vector\[0\] must be a finite number/);
  });

  it('a body that is not JSON', async () => {
    const response = await chat.app.inject({
      method: 'POST',
      url: '/v1/search',
      payload: '{"query": ',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });
    expect(response.statusCode).toBe(400);
  });
});
