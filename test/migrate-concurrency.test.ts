import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateDatabase, type MigrationEvent } from '@mobius/db';
import { afterAll, describe, expect, it } from 'vitest';
import { mobius, problemsIn } from './support/cli.ts';
import { createDatabase, dropDatabases, moduleDatabases, queryDatabase, testDatabaseUrl, uniqueName } from './support/databases.ts';

describe('two migration runners at once', () => {
  const database = uniqueName('lock');
  const dbs = moduleDatabases('race');
  afterAll(async () => {
    await dropDatabases([database]);
    await dbs.drop();
  });

  it('never interleave: the second waits for the lock, then finds nothing to apply', async () => {
    await createDatabase(database);
    const dir = mkdtempSync(join(tmpdir(), 'mobius-migrations-'));
    // rag's first two migrations, then a slow third that keeps the first runner inside the lock while the second arrives.
    for (const file of ['001.do.rag_baseline.sql', '002.do.publish_outbox.sql']) cpSync(join('services/rag/migrations', file), join(dir, file));
    writeFileSync(join(dir, '003.do.slow.sql'), 'SELECT pg_sleep(1);');
    const databaseUrl = testDatabaseUrl(database);
    const firstEvents: MigrationEvent[] = [];
    const secondEvents: MigrationEvent[] = [];

    let firstApplied!: () => void;
    const firstIsInside = new Promise<void>((resolve) => (firstApplied = resolve));
    const first = migrateDatabase({
      databaseUrl,
      migrationsDir: dir,
      onEvent: (event) => {
        firstEvents.push(event);
        if (event.type === 'applied') firstApplied();
      },
    });
    await firstIsInside;
    const second = migrateDatabase({ databaseUrl, migrationsDir: dir, onEvent: (event) => secondEvents.push(event) });
    const [a, b] = await Promise.all([first, second]);

    expect(a.applied).toEqual(['001.do.rag_baseline.sql', '002.do.publish_outbox.sql', '003.do.slow.sql']);
    expect(b.applied).toEqual([]);
    expect(secondEvents[0]).toEqual({ type: 'waiting-for-lock' });
    expect(firstEvents.some((event) => event.type === 'waiting-for-lock')).toBe(false);
    const recorded = await queryDatabase(database, 'SELECT version FROM mobius_schema_version WHERE version > 0 ORDER BY 1');
    expect(recorded.map((row) => Number(row.version))).toEqual([1, 2, 3]);
  });

  it('two whole `mobius migrate --env dev` runs on missing databases both succeed, applying each migration once', async () => {
    const [one, two] = await Promise.all([mobius(['migrate', '--env', 'dev'], dbs.env), mobius(['migrate', '--env', 'dev'], dbs.env)]);
    expect([one.code, two.code, problemsIn(one.stderr), problemsIn(two.stderr)]).toEqual([0, 0, [], []]);
    for (const module of ['rag', 'chat', 'user', 'os', 'warehouse'] as const) {
      const appliedLines = [...one.out, ...two.out].filter((line) => line.startsWith(`${module}: applied `));
      const recorded = await queryDatabase(dbs.names[module], 'SELECT version FROM mobius_schema_version WHERE version > 0');
      expect(appliedLines.length).toBe(recorded.length);
      expect(new Set(appliedLines.map((line) => line.split(' ')[2])).size).toBe(recorded.length);
    }
  });
});
