// `mobius chat clone-rag` (the dev clone, docs/contracts.md, "Chat's database") on real Postgres databases: rag's
// documents, hierarchical chunks, 1536-dimension embeddings and facts copied into chat's 001 tables
// with their ids, exactly; a second run writes nothing; changes in rag are carried over by a rerun.
import { randomUUID } from 'node:crypto';
import { ConfigError } from '@mobius/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloneError } from '../libs/cli/src/chat-clone/clone.ts';
import { chatCloneRagCommand } from '../libs/cli/src/commands/chat-clone-rag.ts';
import { createDatabase, createMigratedDatabase, dropDatabases, queryDatabase, testDatabaseUrl, uniqueName } from './support/databases.ts';

const DIMENSIONS = 1536;
const BATCH = 7;
const base = uniqueName('clone');
const rag = `${base}_rag`;
const chat = `${base}_chat`;
const unmigrated = `${base}_empty`;

/** Runs the command with `env`, collecting its output lines. */
async function cloneWith(env: Record<string, string>, batchSize: number | undefined = BATCH) {
  const out: string[] = [];
  await chatCloneRagCommand({ env, out: (line) => out.push(line), err: (line) => out.push(line) }, batchSize === undefined ? {} : { batchSize });
  return out;
}

const cloneEnv = {
  RAG_SOURCE_DATABASE_URL: testDatabaseUrl(rag),
  // Chat's precedence: CHAT_RAG_DATABASE_URL wins over CHAT_DATABASE_URL (which names no database here).
  CHAT_RAG_DATABASE_URL: testDatabaseUrl(chat),
  CHAT_DATABASE_URL: testDatabaseUrl(`${base}_nowhere`),
};
const clone = (batchSize?: number) => cloneWith(cloneEnv, batchSize);

/**
 * An embedding whose values are exactly representable as float4 (what chat's real[] holds), drawn
 * with a seeded generator, plus values at float4's edges and decimals that must be rounded once.
 */
function embedding(seed: number): number[] {
  let state = seed;
  const next = () => ((state = (state * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648) * 2 - 1;
  const values = Array.from({ length: DIMENSIONS }, () => Math.fround(next() / (1 + Math.abs(next()) * 50)));
  values.splice(0, 6, 3.4028234663852886e38, -1.1754943508222875e-38, 0, 0.1, 0.123456789012, -0.987654321);
  return values;
}

/** What chat must hold for a source value: its float4 rounding. */
const asFloat4 = (values: number[]) => values.map((value) => Math.fround(value));

const ids = (database: string, table: string) =>
  queryDatabase(database, `SELECT id::text FROM ${table} ORDER BY id`).then((rows) => rows.map((r) => r.id));
const versions = (table: string) => queryDatabase(chat, `SELECT id::text, xmin::text FROM ${table} ORDER BY id`);
const TABLES = ['documents', 'chunks', 'chunk_embeddings', 'facts'] as const;

const documentIds = [randomUUID(), randomUUID(), randomUUID()];
const chunkIds: string[] = [];
const embeddings = new Map<string, { id: string; values: number[] }>();

async function seedRag() {
  const q = (text: string, params: unknown[] = []) => queryDatabase(rag, text, params);
  await q(
    `INSERT INTO documents (id, filename, display_name, payer, state, authority_level, metadata, created_at, page_count)
     VALUES ($1, 'policy.pdf', 'Acme Policy', 'Acme Health', 'FL', 'payer_policy', '{"big": 12345678901234567890, "tags": ["x"]}', '2025-03-04 05:06:07.123456', 2),
            ($2, 'manual.md', '', 'Beta', NULL, NULL, '{}', '2025-03-05 00:00:00.000001', 1),
            ($3, 'empty.md', NULL, NULL, NULL, NULL, '{}', '2025-03-06 23:59:59.999999', 0)`,
    documentIds,
  );
  for (let index = 0; index < 25; index += 1) {
    const id = randomUUID();
    chunkIds.push(id);
    await q(
      `INSERT INTO hierarchical_chunks (id, document_id, page_number, paragraph_index, section_path, text, start_offset_in_page, summary, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '2025-03-04 05:06:08.000042')`,
      [
        id,
        documentIds[index % 2],
        1 + (index % 3),
        index,
        index % 4 === 0 ? '' : `Section ${index}`,
        `Chunk text ${index} — ünïcode`,
        index === 3 ? null : index * 10,
        `summary ${index}`,
      ],
    );
  }
  for (const [index, chunkId] of chunkIds.slice(0, 20).entries()) {
    const id = randomUUID();
    const values = embedding(index + 1);
    embeddings.set(chunkId, { id, values });
    await q(
      `INSERT INTO chunk_embeddings (id, document_id, source_type, source_id, embedding, model, created_at)
       VALUES ($1, $2, 'hierarchical', $3, $4::jsonb, 'gemini-embedding-001', '2025-03-04 05:06:09.5')`,
      [id, documentIds[index % 2], chunkId, JSON.stringify(values)],
    );
  }
  for (let index = 0; index < 5; index += 1) {
    const factId = randomUUID();
    await q(
      `INSERT INTO extracted_facts (id, document_id, hierarchical_chunk_id, fact_text, fact_type, confidence, category_scores)
       VALUES ($1, $2, $3, $4, 'eligibility', 0.875, '{"claims": 0.5}')`,
      [factId, documentIds[0], index === 0 ? null : chunkIds[index * 2], `Fact ${index}`],
    );
    if (index < 2) {
      await q(
        `INSERT INTO chunk_embeddings (document_id, source_type, source_id, embedding, model) VALUES ($1, 'fact', $2, $3::jsonb, 'gemini-embedding-001')`,
        [documentIds[0], factId, JSON.stringify(embedding(100 + index))],
      );
    }
  }
}

beforeAll(async () => {
  await createMigratedDatabase(rag, 'rag');
  await createMigratedDatabase(chat, 'chat');
  await createDatabase(unmigrated);
  // A zone other than UTC: rag's UTC timestamps must land in chat's timestamptz unshifted.
  await queryDatabase('postgres', `ALTER DATABASE "${chat}" SET timezone TO 'America/New_York'`);
  await seedRag();
});

afterAll(async () => {
  await dropDatabases([rag, chat, unmigrated]);
});

describe('mobius chat clone-rag', () => {
  it('copies every table in batches with a progress line, keeping ids', async () => {
    const out = await clone();
    expect(out[0]).toMatch(/^mobius chat clone-rag: rag source postgresql:\/\/.*_rag, chat postgresql:\/\/.*_chat; from the environment$/);
    expect(out[1]).toMatch(/^cloning rag .*_rag into chat .*_chat \(CHAT_RAG_DATABASE_URL\)$/);
    expect(out).toEqual(
      expect.arrayContaining([
        'documents: 3/3 done (3 written, 0 unchanged)',
        // Progress (stderr): a line per 10% passed, with rate and ETA.
        expect.stringMatching(/^clone-rag chunks: \[#{6}-{14}\] 7\/25 rows \(28%\), [\d.]+\/s, ETA /),
        expect.stringMatching(/^clone-rag chunks: \[#{11}-{9}\] 14\/25 rows \(56%\), /),
        expect.stringMatching(/^clone-rag chunks: \[#{17}-{3}\] 21\/25 rows \(84%\), /),
        expect.stringMatching(/^clone-rag chunks: \[#{20}\] 25\/25 rows \(100%\), [\d.]+\/s, ETA 0 s$/),
        'chunks: 25/25 done (25 written, 0 unchanged)',
        expect.stringMatching(/^clone-rag chunk_embeddings: \[#{14}-{6}\] 14\/20 rows \(70%\), /),
        'chunk_embeddings: 20/20 done (20 written, 0 unchanged)',
        'facts: 5/5 done (5 written, 0 unchanged)',
        "chunk_embeddings: 2 rag embeddings of facts not copied (chat's chunk_embeddings reference chunks only)",
      ]),
    );
    expect(out.at(-1)).toMatch(/^clone done in [\d.]+ s: 53 rows written$/);
    expect(await ids(chat, 'documents')).toEqual(await ids(rag, 'documents'));
    expect(await ids(chat, 'chunks')).toEqual(await ids(rag, 'hierarchical_chunks'));
    expect(await ids(chat, 'facts')).toEqual(await ids(rag, 'extracted_facts'));
    const hierarchical = await queryDatabase(rag, `SELECT id::text FROM chunk_embeddings WHERE source_type = 'hierarchical' ORDER BY id`);
    expect(await ids(chat, 'chunk_embeddings')).toEqual(hierarchical.map((row) => row.id));
  });

  it('copies 1536-dimension embeddings exactly, each on its chunk', async () => {
    const rows = await queryDatabase(
      chat,
      `SELECT id::text, chunk_id::text, embedding, model_id, array_length(embedding, 1) AS n FROM chunk_embeddings`,
    );
    expect(rows).toHaveLength(20);
    for (const row of rows) {
      const source = embeddings.get(row.chunk_id)!;
      expect(row.id).toBe(source.id);
      expect(row.n).toBe(DIMENSIONS);
      expect(row.model_id).toBe('gemini-embedding-001');
      // pg parses real[] text as float8; its float4 rounding is the stored value, which must be the source's.
      expect(asFloat4(row.embedding as number[])).toEqual(asFloat4(source.values));
    }
    const [edge] = await queryDatabase(chat, `SELECT embedding[1:6]::text AS head FROM chunk_embeddings WHERE id = $1`, [
      embeddings.get(chunkIds[0]!)!.id,
    ]);
    expect(edge!.head).toBe('{3.4028235e+38,-1.1754944e-38,0,0.1,0.12345679,-0.9876543}');
  });

  it('maps the rows: names, text, offsets, metadata and timestamps to the microsecond', async () => {
    const documents = await queryDatabase(
      chat,
      `SELECT id::text, name, source_type, metadata, metadata::text AS metadata_text,
              to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS created_utc
         FROM documents ORDER BY created_at`,
    );
    expect(documents.map((d) => [d.id, d.name, d.source_type, d.created_utc])).toEqual([
      [documentIds[0], 'Acme Policy', 'document', '2025-03-04 05:06:07.123456'],
      [documentIds[1], 'manual.md', 'document', '2025-03-05 00:00:00.000001'],
      [documentIds[2], 'empty.md', 'document', '2025-03-06 23:59:59.999999'],
    ]);
    expect(documents[0]!.metadata).toMatchObject({
      filename: 'policy.pdf',
      display_name: 'Acme Policy',
      payer: 'Acme Health',
      state: 'FL',
      authority_level: 'payer_policy',
      page_count: 2,
      tags: ['x'],
    });
    expect(documents[0]!.metadata_text).toContain('"big": 12345678901234567890');

    const [chunk] = await queryDatabase(
      chat,
      `SELECT document_id::text, text, page_number, start_offset, end_offset, metadata FROM chunks WHERE id = $1`,
      [chunkIds[5]],
    );
    expect(chunk).toEqual({
      document_id: documentIds[1],
      text: 'Chunk text 5 — ünïcode',
      page_number: 3,
      start_offset: 50,
      end_offset: 50 + 'Chunk text 5 — ünïcode'.length,
      metadata: expect.objectContaining({ source_type: 'hierarchical', paragraph_index: 5, section_path: 'Section 5', summary: 'summary 5' }),
    });
    const [noOffset] = await queryDatabase(chat, `SELECT start_offset, end_offset FROM chunks WHERE id = $1`, [chunkIds[3]]);
    expect(noOffset).toEqual({ start_offset: null, end_offset: null });

    const facts = await queryDatabase(chat, `SELECT document_id::text, chunk_id::text, fact_type, content, metadata FROM facts ORDER BY content`);
    expect(facts.map((f) => [f.content, f.chunk_id])).toEqual([0, 1, 2, 3, 4].map((i) => [`Fact ${i}`, i === 0 ? null : chunkIds[i * 2]]));
    expect(facts[1]).toMatchObject({
      document_id: documentIds[0],
      fact_type: 'eligibility',
      metadata: { confidence: 0.875, category_scores: { claims: 0.5 }, verification_status: 'pending' },
    });
  });

  it('changes nothing on a second run', async () => {
    const before = await Promise.all(TABLES.map(versions));
    const out = await clone(undefined);
    expect(out).toEqual(
      expect.arrayContaining([
        'documents: 3/3 done (0 written, 3 unchanged)',
        'chunks: 25/25 done (0 written, 25 unchanged)',
        'chunk_embeddings: 20/20 done (0 written, 20 unchanged)',
        'facts: 5/5 done (0 written, 5 unchanged)',
      ]),
    );
    expect(out.at(-1)).toMatch(/: 0 rows written$/);
    expect(await Promise.all(TABLES.map(versions))).toEqual(before);
  });

  it('carries rag changes over on a rerun: an edited document, a re-embedded chunk, a new fact', async () => {
    const before = await versions('chunks');
    await queryDatabase(rag, `UPDATE documents SET display_name = 'Acme Policy v2' WHERE id = $1`, [documentIds[0]]);
    const chunkId = chunkIds[4]!;
    const reembedded = { id: randomUUID(), values: embedding(999) };
    await queryDatabase(rag, `DELETE FROM chunk_embeddings WHERE source_id = $1`, [chunkId]);
    await queryDatabase(
      rag,
      `INSERT INTO chunk_embeddings (id, document_id, source_type, source_id, embedding, model) VALUES ($1, $2, 'hierarchical', $3, $4::jsonb, 'm2')`,
      [reembedded.id, documentIds[0], chunkId, JSON.stringify(reembedded.values)],
    );
    await queryDatabase(rag, `INSERT INTO extracted_facts (document_id, fact_text) VALUES ($1, 'Fact new')`, [documentIds[1]]);

    const out = await clone();
    expect(out).toEqual(
      expect.arrayContaining([
        'documents: 3/3 done (1 written, 2 unchanged)',
        'chunks: 25/25 done (0 written, 25 unchanged)',
        // The old row of the chunk removed, the new one inserted.
        'chunk_embeddings: 20/20 done (2 written, 18 unchanged)',
        'facts: 6/6 done (1 written, 5 unchanged)',
      ]),
    );
    expect(await queryDatabase(chat, `SELECT name FROM documents WHERE id = $1`, [documentIds[0]])).toEqual([{ name: 'Acme Policy v2' }]);
    const [row] = await queryDatabase(chat, `SELECT id::text, embedding, model_id FROM chunk_embeddings WHERE chunk_id = $1`, [chunkId]);
    expect(row!.id).toBe(reembedded.id);
    expect(row!.model_id).toBe('m2');
    expect(asFloat4(row!.embedding)).toEqual(asFloat4(reembedded.values));
    expect(await versions('chunks')).toEqual(before);
  });

  it('names RAG_SOURCE_DATABASE_URL when it is missing', async () => {
    const failure = await cloneWith({ CHAT_DATABASE_URL: testDatabaseUrl(chat) }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as ConfigError).variable).toBe('RAG_SOURCE_DATABASE_URL');
    expect((failure as Error).message).toContain('RAG_SOURCE_DATABASE_URL is required');
  });

  it('refuses an unmigrated chat database and one database named twice, writing nothing', async () => {
    const unmigratedChat = await cloneWith({ RAG_SOURCE_DATABASE_URL: testDatabaseUrl(rag), CHAT_DATABASE_URL: testDatabaseUrl(unmigrated) }).catch(
      (e: unknown) => e,
    );
    expect(unmigratedChat).toBeInstanceOf(CloneError);
    expect((unmigratedChat as Error).message).toMatch(
      /no documents, chunks, chunk_embeddings, facts table: run `mobius migrate --module chat` first/,
    );
    const same = await cloneWith({ RAG_SOURCE_DATABASE_URL: testDatabaseUrl(rag), CHAT_DATABASE_URL: testDatabaseUrl(rag) }).catch((e: unknown) => e);
    expect(same).toBeInstanceOf(CloneError);
    expect((same as Error).message).toContain('name the same database');
    const notRag = await cloneWith({ RAG_SOURCE_DATABASE_URL: testDatabaseUrl(unmigrated), CHAT_DATABASE_URL: testDatabaseUrl(chat) }).catch(
      (e: unknown) => e,
    );
    expect((notRag as Error).message).toContain('is RAG_SOURCE_DATABASE_URL a rag database?');
  });
});
