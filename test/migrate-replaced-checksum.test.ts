// A database migrated before chat 003 was rewritten (its in-transaction index builds moved to 006, which
// runs outside a transaction) is not refused as tampered: 003's header names the checksum of the text it
// applied, its record moves to the new text, and 006 completes the database. Any other edit still fails.
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateDatabase, migrationStatus, MigrationTamperedError, type MigrationEvent } from '@mobius/db';
import { afterAll, describe, expect, it } from 'vitest';
import { createDatabase, dropDatabases, queryDatabase, testDatabaseUrl, uniqueName } from './support/databases.ts';

const OLD_003 = '003.do.chat_additive_columns.sql';
/** The commit whose chat 003 built pg_trgm, a text trigram index and the view inside its transaction. */
const BEFORE_REWRITE = 'c50a705';

const database = uniqueName('replaced');
const databaseUrl = testDatabaseUrl(database);
const oldDir = mkdtempSync(join(tmpdir(), 'mobius-chat-old-'));
afterAll(async () => {
  await dropDatabases([database]);
  rmSync(oldDir, { recursive: true, force: true });
});

describe('a chat database that applied the old 003', () => {
  it("is brought up to date: 003's record moves to the new text, 004-006 run, the old text index goes", async () => {
    for (const file of ['001.do.dev_clone.sql', '002.do.published_rag_metadata.sql', OLD_003]) {
      const text = execFileSync('git', ['show', `${BEFORE_REWRITE}:services/chat/migrations/${file}`], { encoding: 'utf8' });
      writeFileSync(join(oldDir, file), text);
    }
    await createDatabase(database);
    expect((await migrateDatabase({ databaseUrl, migrationsDir: oldDir })).applied).toHaveLength(3);

    const status = await migrationStatus(databaseUrl, 'services/chat/migrations');
    expect(status.find((entry) => entry.file === OLD_003)).toMatchObject({
      state: 'applied',
      note: 'the file replaces the text applied here; migrate updates the record, nothing runs',
    });
    const events: MigrationEvent[] = [];
    const result = await migrateDatabase({ databaseUrl, migrationsDir: 'services/chat/migrations', onEvent: (e) => events.push(e) });
    expect(events).toContainEqual({ type: 'checksum-replaced', file: OLD_003 });
    const later = readdirSync('services/chat/migrations')
      .filter((file) => file.endsWith('.sql') && file > OLD_003)
      .sort();
    expect(later.slice(0, 3)).toEqual(['004.do.pipeline_sink_state.sql', '005.do.vector_ledger.sql', '006.do.chat_indexes_concurrently.sql']);
    expect(result.applied).toEqual(later);
    const indexes = await queryDatabase(database, `SELECT indexname FROM pg_indexes WHERE indexname LIKE '%trgm%' ORDER BY 1`);
    expect(indexes.map((row) => row.indexname)).toEqual(['idx_prd_trgm_names', 'idx_prm_trgm_names']);
    expect((await migrationStatus(databaseUrl, 'services/chat/migrations')).every((e) => e.state === 'applied' && !e.note)).toBe(true);
  });

  it('any other edit of an applied migration is still refused as tampered', async () => {
    const edited = mkdtempSync(join(tmpdir(), 'mobius-chat-edited-'));
    try {
      cpSync('services/chat/migrations', edited, { recursive: true });
      appendFileSync(join(edited, OLD_003), '\n-- a quiet edit\n');
      await expect(migrateDatabase({ databaseUrl, migrationsDir: edited })).rejects.toThrow(MigrationTamperedError);
    } finally {
      rmSync(edited, { recursive: true, force: true });
    }
  });
});
