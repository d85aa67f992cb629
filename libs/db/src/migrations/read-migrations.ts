import { basename } from 'node:path';
import { loadPostgrator } from './postgrator-session.ts';

/** A migration file on disk. */
export interface MigrationFile {
  version: number;
  file: string;
  sql: string;
}

/** Reads a folder's migrations in order, without a database (dry run of a database not yet created). */
export async function readMigrations(migrationsDir: string): Promise<MigrationFile[]> {
  const PostgratorClass = await loadPostgrator();
  const postgrator = new PostgratorClass({
    migrationPattern: `${migrationsDir.replaceAll('\\', '/')}/*.sql`,
    driver: 'pg',
    execQuery: () => Promise.reject(new Error('readMigrations does not query a database')),
  });
  const migrations = await postgrator.getMigrations();
  return migrations
    .filter((m) => m.action === 'do')
    .sort((a, b) => a.version - b.version)
    .map((m) => ({ version: m.version, file: basename(m.filename), sql: m.getSql() }));
}
