// `mobius publish` is idempotent per file and `mobius documents list|unpublish|delete` (libs/cli) against
// the real rag API (GET /documents, PUT, publish, unpublish, DELETE) on a real Postgres.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRagTestService, type RagTestService } from '../services/rag/src/testing/harness.ts';
import { mobius } from './support/cli.ts';
import { createMigratedDatabase, dropDatabases, testDatabaseUrl, uniqueName } from './support/databases.ts';

const database = uniqueName('documents_cli');
const PARAGRAPH = 'A prior authorization request must be submitted before the service is rendered.';
let rag: RagTestService;
let env: Record<string, string>;
let dir: string;

const publishedRows = async (filename: string) =>
  (await rag.pool.query('SELECT count(*)::int AS n FROM rag_published_embeddings WHERE document_filename = $1', [filename])).rows[0].n as number;
const documentsNamed = async (filename: string) =>
  (await rag.pool.query('SELECT id::text FROM documents WHERE filename = $1 ORDER BY created_at', [filename])).rows.map((r) => r.id as string);

beforeAll(async () => {
  await createMigratedDatabase(database, 'rag');
  rag = createRagTestService({ databaseUrl: testDatabaseUrl(database), dimensions: 8 });
  // A data directory with no mobius dev in it: only RAG_URL points anywhere.
  dir = await mkdtemp(join(tmpdir(), 'documents-cli-'));
  env = { RAG_URL: await rag.app.listen({ port: 0, host: '127.0.0.1' }), MOBIUS_DATA_DIR: dir };
  await writeFile(join(dir, 'policy.md'), `# Policy\n\n${PARAGRAPH}`);
  await writeFile(join(dir, 'claims.md'), `# Claims\n\nClaims are filed within 90 days of the service.\n\nLate claims are denied.`);
});

afterAll(async () => {
  await rag?.close();
  await dropDatabases([database]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('mobius publish, per file', () => {
  it('replaces the document of the same filename on a republish: one document, a new version', async () => {
    const first = await mobius(['publish', join(dir, 'policy.md')], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.err).toEqual([`mobius publish: rag API ${env.RAG_URL}; from the environment`]);
    const [id] = await documentsNamed('policy.md');
    expect(first.out).toEqual([`published policy.md: document ${id}, 1 rows, version 1`]);

    await writeFile(
      join(dir, 'policy.md'),
      `# Policy\n\n${PARAGRAPH}\n\n## Appeals\n\nA denied request may be appealed within 30 days of the denial.`,
    );
    const again = await mobius(['publish', join(dir, 'policy.md'), '--payer', 'Acme'], env);
    expect(again.code, again.stderr).toBe(0);
    const rows = await publishedRows('policy.md');
    expect(rows).toBeGreaterThan(1);
    expect(again.out).toEqual([`published policy.md: document ${id}, ${rows} rows, version 2 (replaced)`]);
    expect(await documentsNamed('policy.md')).toEqual([id]);
    const payers = await rag.pool.query('SELECT DISTINCT document_payer FROM rag_published_embeddings WHERE document_id = $1', [id]);
    expect(payers.rows).toEqual([{ document_payer: 'Acme' }]);
  });

  it('uploads a second document of that filename with --new, and then replaces the newer one', async () => {
    const added = await mobius(['publish', '--new', join(dir, 'policy.md')], env);
    expect(added.code, added.stderr).toBe(0);
    const ids = await documentsNamed('policy.md');
    expect(ids).toHaveLength(2);
    expect(added.out).toEqual([expect.stringMatching(new RegExp(`^published policy\\.md: document ${ids[1]}, \\d+ rows, version 1$`))]);
    const again = await mobius(['publish', join(dir, 'policy.md')], env);
    expect(again.out).toEqual([expect.stringMatching(/, version 2 \(replaced the newest of 2 documents named policy\.md\)$/)]);
    expect(again.out[0]).toContain(`document ${ids[1]},`);
    expect(await documentsNamed('policy.md')).toEqual(ids);
  });
});

describe('mobius documents', () => {
  it('lists every document with its published state and version, as a table and as JSON', async () => {
    expect((await mobius(['publish', join(dir, 'claims.md')], env)).code).toBe(0);
    const [older, newer] = await documentsNamed('policy.md');
    const [claims] = await documentsNamed('claims.md');
    const listed = await mobius(['documents', 'list'], env);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.err).toEqual([`mobius documents list: rag API ${env.RAG_URL}; from the environment`]);
    expect(listed.out).toEqual([
      `${claims}  published    v1  claims.md`,
      `${older}  published    v2  policy.md`,
      `${newer}  published    v2  policy.md`,
      '3 documents, 3 published',
    ]);
    const json = await mobius(['documents', 'list', '--filename', 'claims.md', '--json'], env);
    expect(JSON.parse(json.stdout)).toEqual([
      expect.objectContaining({ document_id: claims, filename: 'claims.md', display_name: null, published: true, version: 1 }),
    ]);
  });

  it('unpublishes by filename (the document stays) and deletes by id; an ambiguous filename needs the id', async () => {
    const [claims] = await documentsNamed('claims.md');
    const rows = await publishedRows('claims.md');
    expect(rows).toBeGreaterThan(0);
    const unpublished = await mobius(['documents', 'unpublish', 'claims.md'], env);
    expect(unpublished.code, unpublished.stderr).toBe(0);
    expect(unpublished.out).toEqual([`unpublished claims.md (${claims}): ${rows} published rows removed, version 2`]);
    expect(await publishedRows('claims.md')).toBe(0);
    expect(await documentsNamed('claims.md')).toEqual([claims]);
    const listed = await mobius(['documents', 'list', '--filename', 'claims.md'], env);
    expect(listed.out[0]).toBe(`${claims}  unpublished  v2  claims.md`);

    const ambiguous = await mobius(['documents', 'delete', 'policy.md'], env);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.err.at(-1)).toMatch(/^mobius: error: DOCUMENTS_INPUT: 2 documents are named policy\.md \(.*\): give the id$/);
    expect(await documentsNamed('policy.md')).toHaveLength(2);

    const [older, newer] = await documentsNamed('policy.md');
    const deleted = await mobius(['documents', 'delete', older!], env);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.out).toEqual([expect.stringMatching(new RegExp(`^deleted ${older}: [1-9]\\d* published rows removed, version 3$`))]);
    expect(await documentsNamed('policy.md')).toEqual([newer]);
    const missing = await mobius(['documents', 'unpublish', 'nothing.md'], env);
    expect(missing.err.at(-1)).toBe('mobius: error: DOCUMENTS_INPUT: no document is named nothing.md (mobius documents list shows them)');
  });
});
