/**
 * Login latency under a password-reset-request flood, on the real user service process and the real
 * Postgres (`npx tsx bench/user-reset-flood.ts [--logins 30] [--flood 40] [--accounts 400]`). In one
 * run, per configuration: idle login p50/p99 (sequential logins), then the same logins while waves of
 * `--flood` parallel reset requests for existing accounts keep arriving (each one that passes the
 * limits issues a reset token and an outbox mail, after its 202). Two configurations: the default
 * limits (5 per 15 minutes per address and per email: a flood from one address is throttled
 * silently after 5) and the limits lifted (the worst case: a flood from many addresses for many
 * accounts); and a control, the same flood on a route that does nothing, which shows what HTTP alone
 * costs the logins on the machine. Writes bench/results/user-reset-flood-<time>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { migrateDatabase } from '@mobius/db';
import { createDatabase, dropDatabases, queryDatabase, testDatabaseUrl, uniqueName } from '../test/support/databases.ts';
import { startServiceProcess, stopServiceProcess } from '../test/support/processes.ts';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const LOGINS = Number(args.get('logins') ?? 30);
const FLOOD = Number(args.get('flood') ?? 40);
const ACCOUNTS = Number(args.get('accounts') ?? 400);
const PASSWORD = 'bench password 123';
const TENANT = '00000000-0000-0000-0000-000000000001';

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

async function post(url: string, body: unknown): Promise<number> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await response.arrayBuffer();
  return response.status;
}

async function timeLogins(base: string, email: string, count: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const started = performance.now();
    const status = await post(`${base}/api/v1/auth/login`, { email, password: PASSWORD });
    latencies.push(performance.now() - started);
    if (status !== 200) throw new Error(`login answered ${status}`);
  }
  return latencies;
}

async function measure(name: string, env: Record<string, string>, floodPath = '/api/v1/auth/password-reset/request') {
  const database = uniqueName('bench_reset');
  await createDatabase(database);
  await migrateDatabase({ databaseUrl: testDatabaseUrl(database), migrationsDir: 'services/user/migrations' });
  // The accounts the flood names, inserted directly (no bcrypt needed: a reset request reads only the email).
  await queryDatabase(
    database,
    `INSERT INTO app_user (tenant_id, email, status) SELECT $1, 'flood.' || g || '@example.com', 'active' FROM generate_series(1, $2) g`,
    [TENANT, ACCOUNTS],
  );
  const service = await startServiceProcess('user', {
    USER_DATABASE_URL: testDatabaseUrl(database),
    JWT_SECRET: 'bench-secret',
    USER_LOGIN_RATE_LIMIT_PER_EMAIL: '100000',
    USER_LOGIN_RATE_LIMIT_PER_IP: '100000',
    MOBIUS_SET_PASSWORD_URL_BASE: 'https://app.example.com/set-password',
    ...env,
  });
  try {
    const email = `bench.${Date.now()}@example.com`;
    if ((await post(`${service.url}/api/v1/auth/register`, { email, password: PASSWORD })) !== 200) throw new Error('register failed');
    await timeLogins(service.url, email, 3); // warm-up
    const idle = await timeLogins(service.url, email, LOGINS);
    let flooding = true;
    const statuses = new Map<number, number>();
    let wave = 0;
    let sent = 0;
    const flood = (async () => {
      while (flooding) {
        wave += 1;
        const answers = await Promise.all(
          Array.from({ length: FLOOD }, () => post(`${service.url}${floodPath}`, { email: `flood.${(sent++ % ACCOUNTS) + 1}@example.com` })),
        );
        for (const status of answers) statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const flooded = await timeLogins(service.url, email, LOGINS);
    flooding = false;
    await flood;
    await new Promise((resolve) => setTimeout(resolve, 500)); // the mails after the last 202s
    const [mails] = await queryDatabase<{ n: number }>(database, 'SELECT count(*)::int AS n FROM user_ext.mail_outbox');
    const result = {
      name,
      idle: { p50: percentile(idle, 50), p99: percentile(idle, 99) },
      flooded: { p50: percentile(flooded, 50), p99: percentile(flooded, 99) },
      ratioP99: percentile(flooded, 99) / percentile(idle, 99),
      resetRequests: Object.fromEntries(statuses),
      mailsSent: mails!.n,
      waves: wave,
    };
    console.log(
      `${name}: idle p50 ${result.idle.p50.toFixed(0)} ms p99 ${result.idle.p99.toFixed(0)} ms; flooded p50 ${result.flooded.p50.toFixed(0)} ms ` +
        `p99 ${result.flooded.p99.toFixed(0)} ms (${result.ratioP99.toFixed(2)}x); reset requests ${JSON.stringify(result.resetRequests)} in ${wave} waves, ${result.mailsSent} mails`,
    );
    return result;
  } catch (error) {
    console.error(service.logs.slice(-15).join('\n'));
    throw error;
  } finally {
    await stopServiceProcess(service);
    await dropDatabases([database]);
  }
}

const results = [
  // Control: the same number of requests on a route that does nothing (404), to tell the cost of HTTP on a
  // shared machine from the cost of the reset work.
  await measure('control: the same flood on a route that does nothing', {}, '/api/v1/auth/no-such-route'),
  await measure('default limits (5 per 15 minutes per address and per email)', {}),
  await measure('limits lifted (a flood from many addresses)', {
    USER_RESET_RATE_LIMIT_PER_IP: '1000000',
    USER_RESET_RATE_LIMIT_PER_EMAIL: '1000000',
  }),
];
mkdirSync('bench/results', { recursive: true });
const file = `bench/results/user-reset-flood-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
writeFileSync(
  file,
  `${JSON.stringify({ logins: LOGINS, flood: FLOOD, accounts: ACCOUNTS, cpus: cpus().length, loadavg: loadavg(), results }, null, 2)}\n`,
);
console.log(`written to ${file}`);
