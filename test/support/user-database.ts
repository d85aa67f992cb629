// mobius-user's database for tests of the credential guard and chat's AUTH_CHECK_USER_ACTIVE: created
// and migrated from services/user/migrations, with people inserted the way the user service stores
// them (app_user in the default tenant, role by name), so the guard reads the real tables.
import { randomUUID } from 'node:crypto';
import { createMigratedDatabase, dropDatabases, queryDatabase, testDatabaseUrl, uniqueName } from './databases.ts';

const DEFAULT_TENANT = '00000000-0000-0000-0000-000000000001';

export interface TestUserDatabase {
  /** The database's URL (USER_DATABASE_URL). */
  url: string;
  /** Inserts an active user (with `role`, created when missing) and answers its user_id. */
  addUser(person: { email: string; role?: string }): Promise<string>;
  /** Sets `app_user.status` (`inactive` revokes the user's tokens). */
  setStatus(userId: string, status: string): Promise<void>;
  drop(): Promise<void>;
}

export async function createTestUserDatabase(tag: string): Promise<TestUserDatabase> {
  const name = uniqueName(tag);
  await createMigratedDatabase(name, 'user');
  const sql = (text: string, params: unknown[]) => queryDatabase(name, text, params);
  return {
    url: testDatabaseUrl(name),
    async addUser({ email, role }) {
      const userId = randomUUID();
      if (role) await sql('INSERT INTO role (name) VALUES ($1) ON CONFLICT (name) DO NOTHING', [role]);
      await sql(
        "INSERT INTO app_user (user_id, tenant_id, email, status, role_id) VALUES ($1, $2, $3, 'active', (SELECT role_id FROM role WHERE name = $4))",
        [userId, DEFAULT_TENANT, email, role ?? null],
      );
      return userId;
    },
    async setStatus(userId, status) {
      await sql('UPDATE app_user SET status = $2 WHERE user_id = $1', [userId, status]);
    },
    drop: () => dropDatabases([name]),
  };
}
