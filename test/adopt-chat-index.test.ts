// Adopting a Chat database that already has rows (issue 12, "Adopt production as it is"): `mobius migrate
// --module chat` builds Chat's trigram index and its other indexes CONCURRENTLY, outside the migration's
// transaction, so Chat's writes never wait; a build that was interrupted leaves an INVALID index, which
// --status and --dry-run report and the next run drops and builds again. The 1M-row figures are in
// bench/chat-index-build.ts.
import { runCli } from '@mobius/cli';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mobius, problemsIn } from './support/cli.ts';
import { createDatabase, dropDatabases, queryDatabase, testDatabaseUrl, uniqueName } from './support/databases.ts';
import { EXISTING_CHAT_SCHEMA, fillChatRowsSql, startChatWriter, writesDuring } from './support/existing-chat.ts';
import { waitFor } from './support/processes.ts';

/** Enough rows that building the trigram index takes seconds on this machine, not milliseconds. */
const ROWS = 40_000;
const MIGRATION = '006.do.chat_indexes_concurrently.sql';
const chat = uniqueName('adoptchat');
const env = { CHAT_DATABASE_URL: testDatabaseUrl(chat) };

/** Runs `mobius migrate` with these arguments, timing every line it prints. */
async function timedMigrate(args: string[]) {
  const lines: { at: number; line: string }[] = [];
  const err: string[] = [];
  const code = await runCli(['migrate', '--env', 'dev', '--module', 'chat', ...args], {
    env,
    out: (line) => lines.push({ at: performance.now(), line }),
    err: (line) => err.push(line),
  });
  const at = (pattern: RegExp) => lines.find((l) => pattern.test(l.line))?.at;
  return { code, out: lines.map((l) => l.line), stderr: err.join('\n'), at };
}

const indexState = (name: string) =>
  queryDatabase<{ valid: boolean; definition: string }>(
    chat,
    `SELECT i.indisvalid AS valid, pg_get_indexdef(i.indexrelid) AS definition FROM pg_index i
       JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = $1`,
    [name],
  );

beforeAll(async () => {
  await createDatabase(chat);
  await queryDatabase(chat, EXISTING_CHAT_SCHEMA);
  await queryDatabase(chat, fillChatRowsSql(ROWS));
}, 60_000);

afterAll(() => dropDatabases([chat]));

describe('mobius migrate --module chat on a Chat table with rows', () => {
  it('a concurrent build killed half way fails saying what stays, and leaves an INVALID index', async () => {
    const run = timedMigrate([]);
    // The first concurrent build of 006 is the trigram index: cancel its backend once it is building
    // (in `initializing` the index's catalog entry may not be committed yet, and a cancel there leaves none).
    const canceller = new pg.Client({ connectionString: testDatabaseUrl(chat) });
    await canceller.connect();
    try {
      await waitFor(
        'the concurrent index build to start',
        async () => {
          const { rows } = await canceller.query(
            `SELECT pg_cancel_backend(pid) AS cancelled FROM pg_stat_progress_create_index
            WHERE datname = current_database() AND command = 'CREATE INDEX CONCURRENTLY' AND phase LIKE 'building index%'`,
          );
          return rows.some((row) => row.cancelled);
        },
        30_000,
        20,
      );
    } finally {
      await canceller.end();
    }
    const failed = await run;
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toContain(
      `migration ${MIGRATION} failed (it runs outside a transaction: the statements before the ` +
        'failure stay applied, and the next run repeats them): canceling statement due to user request',
    );
    expect(await indexState('idx_prm_trgm_names')).toEqual([{ valid: false, definition: expect.stringContaining('gin_trgm_ops') }]);
    expect(await queryDatabase(chat, `SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'`)).toHaveLength(1);
    expect(await queryDatabase(chat, 'SELECT version FROM mobius_schema_version WHERE version = 6')).toEqual([]);
  });

  it('--status and --dry-run say the migration is pending, runs outside a transaction, and will rebuild the index', async () => {
    const status = await mobius(['migrate', '--env', 'dev', '--module', 'chat', '--status'], env);
    expect(status.out).toContain(
      `chat: pending  ${MIGRATION} (runs outside a transaction, building indexes concurrently; ` +
        'index idx_prm_trgm_names is INVALID (an interrupted concurrent build): migrate drops and rebuilds it)',
    );
    const dry = await mobius(['migrate', '--env', 'dev', '--module', 'chat', '--dry-run'], env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`-- chat: would apply ${MIGRATION} (outside a transaction, statement by statement`);
    expect(dry.stdout).toContain('-- would drop INVALID index idx_prm_trgm_names (an interrupted concurrent build) and build it again');
    expect(await indexState('idx_prm_trgm_names')).toEqual([{ valid: false, definition: expect.any(String) }]);
  });

  it('the next run drops and rebuilds it while a writer keeps inserting and updating, never waiting for the build', async () => {
    const writer = await startChatWriter(testDatabaseUrl(chat));
    await new Promise((resolve) => setTimeout(resolve, 300)); // the writer's pace before the build, for comparison
    const run = await timedMigrate([]);
    const writes = await writer.stop();
    expect(problemsIn(run.stderr)).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.out).toContain(`chat: ${MIGRATION}: dropping INVALID index idx_prm_trgm_names (an interrupted concurrent build) to build it again`);
    const buildStart = run.at(/dropping INVALID index idx_prm_trgm_names/)!;
    const buildEnd = run.at(new RegExp(`applied ${MIGRATION.replaceAll('.', '\\.')}`))!;
    const buildMs = buildEnd - buildStart;
    expect(buildMs).toBeGreaterThan(500); // long enough that waiting writers would show

    // Writes kept completing through every quarter of the build, none waited for it.
    const quarter = buildMs / 4;
    for (let q = 0; q < 4; q++) {
      const { completed } = writesDuring(writes, buildStart + q * quarter, buildStart + (q + 1) * quarter);
      expect(completed.filter((w) => w.op === 'insert').length, `inserts in quarter ${q + 1}`).toBeGreaterThan(0);
      expect(completed.filter((w) => w.op === 'update').length, `updates in quarter ${q + 1}`).toBeGreaterThan(0);
    }
    expect(writesDuring(writes, buildStart, buildEnd).maxLatencyMs).toBeLessThan(quarter);
  });

  it("leaves Chat's trigram index valid on the contract's three columns, covering the rows written meanwhile", async () => {
    expect(await indexState('idx_prm_trgm_names')).toEqual([
      {
        valid: true,
        definition: expect.stringContaining(
          'USING gin (document_display_name gin_trgm_ops, document_filename gin_trgm_ops, document_payer gin_trgm_ops)',
        ),
      },
    ]);
    for (const name of ['idx_prm_instant_rag', 'idx_prm_expires_at', 'idx_prm_agent_scope', 'idx_prd_document_id', 'idx_prd_trgm_names']) {
      expect(await indexState(name), name).toEqual([{ valid: true, definition: expect.any(String) }]);
    }
    const client = new pg.Client({ connectionString: testDatabaseUrl(chat) });
    await client.connect();
    try {
      const query = `SELECT count(*)::int AS n FROM published_rag_metadata WHERE document_display_name ILIKE '%concurrent writer%'`;
      const scanned = (await client.query(query)).rows[0].n;
      await client.query('SET enable_seqscan = off');
      const plan = (await client.query(`EXPLAIN ${query}`)).rows.map((row) => row['QUERY PLAN']).join('\n');
      expect(plan).toContain('idx_prm_trgm_names');
      expect((await client.query(query)).rows[0].n).toBe(scanned);
      expect(scanned).toBeGreaterThan(0);
    } finally {
      await client.end();
    }
    const again = await mobius(['migrate', '--env', 'dev', '--module', 'chat'], env);
    expect(again.out).toContain('chat: already up to date');
  });
});
