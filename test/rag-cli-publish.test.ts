// `mobius publish` (libs/cli/src/commands/publish.ts) against the real rag API on a real Postgres:
// a directory's .md files in name order, one progress line each (a republish replaces), and one-line errors.
// rag runs guarded by a service token, as deployed: the CLI sends MOBIUS_SERVICE_TOKEN.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishCommand } from '../libs/cli/src/commands/publish.ts';
import type { CliIO } from '../libs/cli/src/io.ts';
import { createRagTestService, type RagTestService } from '../services/rag/src/testing/harness.ts';
import { createMigratedDatabase, dropDatabases, testDatabaseUrl, uniqueName } from './support/databases.ts';

const database = uniqueName('rag_cli');
let rag: RagTestService;
let ragUrl: string;
let dir: string;
const PARAGRAPH = 'A paragraph that is long enough to be one chunk of its own.';

const SERVICE_TOKEN = 'rag-cli-test-service-token-of-at-least-32-chars';

function io(env: Record<string, string> = { RAG_URL: ragUrl, MOBIUS_SERVICE_TOKEN: SERVICE_TOKEN }): CliIO & { lines: string[] } {
  const lines: string[] = [];
  return { env, out: (line) => lines.push(line), err: (line) => lines.push(`ERR ${line}`), lines };
}

beforeAll(async () => {
  await createMigratedDatabase(database, 'rag');
  rag = createRagTestService({ databaseUrl: testDatabaseUrl(database), dimensions: 8, access: { mode: 'required', serviceToken: SERVICE_TOKEN } });
  ragUrl = await rag.app.listen({ port: 0, host: '127.0.0.1' });
  dir = await mkdtemp(join(tmpdir(), 'rag-cli-'));
  await writeFile(join(dir, 'b-claims.md'), `## Claims\n\n${PARAGRAPH}\n\n${PARAGRAPH} Again.`);
  await writeFile(join(dir, 'a-policy.md'), `# Policy\n\n${PARAGRAPH}`);
  await writeFile(join(dir, 'notes.txt'), 'not markdown');
  await writeFile(join(dir, 'empty.MD'), '   \n');
});

afterAll(async () => {
  await rag?.close();
  await dropDatabases([database]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('mobius publish', () => {
  it('uploads and publishes each .md file in name order, one progress line per file', async () => {
    const cli = io();
    const files = [join(dir, 'a-policy.md'), join(dir, 'b-claims.md')];
    await publishCommand(files, { payer: 'Acme', state: 'fl', program: 'MMA', authorityLevel: 'payer_policy' }, cli);
    expect(cli.lines).toHaveLength(3);
    expect(cli.lines[0]).toBe(`ERR mobius publish: rag API ${ragUrl}; from the environment`);
    expect(cli.lines[1]).toMatch(/^published a-policy\.md: document [0-9a-f-]{36}, 1 rows, version 1$/);
    expect(cli.lines[2]).toMatch(/^published b-claims\.md: document [0-9a-f-]{36}, 2 rows, version 1$/);
    const rows = await rag.pool.query(
      `SELECT DISTINCT document_filename, document_payer, document_state, document_program, document_authority_level
         FROM rag_published_embeddings ORDER BY 1`,
    );
    expect(rows.rows).toEqual([
      {
        document_filename: 'a-policy.md',
        document_payer: 'Acme',
        document_state: 'FL',
        document_program: 'MMA',
        document_authority_level: 'payer_policy',
      },
      {
        document_filename: 'b-claims.md',
        document_payer: 'Acme',
        document_state: 'FL',
        document_program: 'MMA',
        document_authority_level: 'payer_policy',
      },
    ]);
  });

  it('takes a directory as its .md files sorted, and stops with a one-line error at a file the API refuses', async () => {
    const cli = io();
    const failure = publishCommand([dir], {}, cli);
    await expect(failure).rejects.toMatchObject({ code: 'RAG_REJECTED' });
    const error = (await failure.catch((e: unknown) => e)) as Error;
    expect(error.message).toBe('upload of empty.MD: rag answered 400 INVALID_BODY text must not be empty or whitespace only');
    // Published before under the same filenames: replaced, as new versions of the same documents.
    expect(cli.lines).toHaveLength(3);
    expect(cli.lines[1]).toMatch(/^published a-policy\.md: .*version 2 \(replaced\)$/);
    expect(cli.lines[2]).toMatch(/^published b-claims\.md: .*version 2 \(replaced\)$/);
  });

  it('checks every path before uploading anything', async () => {
    const before = (await rag.pool.query('SELECT count(*)::int AS n FROM documents')).rows[0].n;
    for (const paths of [[join(dir, 'a-policy.md'), join(dir, 'missing.md')], [join(dir, 'notes.txt')], [join(dir, 'sub-none')]]) {
      await expect(publishCommand(paths, {}, io())).rejects.toMatchObject({ code: 'PUBLISH_INPUT' });
    }
    expect((await rag.pool.query('SELECT count(*)::int AS n FROM documents')).rows[0].n).toBe(before);
  });

  it('without the service token, is refused with a one-line 401 that says which variable to set', async () => {
    const attempts: Record<string, string>[] = [{ RAG_URL: ragUrl }, { RAG_URL: ragUrl, MOBIUS_SERVICE_TOKEN: `${SERVICE_TOKEN}-wrong` }];
    for (const env of attempts) {
      const failure = publishCommand([join(dir, 'a-policy.md')], {}, io(env));
      await expect(failure).rejects.toMatchObject({ code: 'RAG_REJECTED', status: 401, message: expect.stringContaining('MOBIUS_SERVICE_TOKEN') });
    }
  });

  it('names the rag URL when the API cannot be reached', async () => {
    const failure = publishCommand([join(dir, 'a-policy.md')], { ragUrl: 'http://127.0.0.1:9' }, io());
    await expect(failure).rejects.toMatchObject({
      code: 'RAG_UNREACHABLE',
      message: expect.stringContaining('cannot reach the rag API at http://127.0.0.1:9'),
    });
  });
});
