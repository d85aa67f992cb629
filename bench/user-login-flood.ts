/**
 * Login latency under a registration flood, on the real user service process and the real Postgres
 * (`npx tsx bench/user-login-flood.ts [--logins 30] [--flood 40]`). In one run, per configuration:
 * idle login p50/p99 (sequential logins, nothing else running), then the same logins while waves of
 * `--flood` parallel registrations (bcrypt cost 12 each) keep arriving. Two configurations: the
 * service's default bcrypt queue (one hash at a time, four waiting, the rest 429 with retry-after),
 * and an unbounded one (every registration hashes at once, as the original service does) for
 * contrast. Registration rate limits are lifted in both, so only the queue bounds the work (the
 * worst case: a flood from many addresses). Writes bench/results/user-login-flood-<time>.json.
 * The bar: flooded p99 within 2x of idle with the queue.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { migrateDatabase } from '@mobius/db';
import { createDatabase, dropDatabases, testDatabaseUrl, uniqueName } from '../test/support/databases.ts';
import { startServiceProcess, stopServiceProcess } from '../test/support/processes.ts';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const LOGINS = Number(args.get('logins') ?? 30);
const FLOOD = Number(args.get('flood') ?? 40);
const PASSWORD = 'bench password 123';

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

async function post(url: string, body: unknown): Promise<number> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await response.arrayBuffer();
  return response.status;
}

/** `count` sequential logins: their latencies in ms (every one must answer 200). */
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

async function measure(name: string, env: Record<string, string>) {
  const database = uniqueName('bench_user');
  await createDatabase(database);
  await migrateDatabase({ databaseUrl: testDatabaseUrl(database), migrationsDir: 'services/user/migrations' });
  const service = await startServiceProcess('user', {
    USER_DATABASE_URL: testDatabaseUrl(database),
    JWT_SECRET: 'bench-secret',
    USER_LOGIN_RATE_LIMIT_PER_EMAIL: '100000',
    USER_LOGIN_RATE_LIMIT_PER_IP: '100000',
    USER_REGISTER_RATE_LIMIT_PER_IP: '100000',
    USER_REGISTER_RATE_LIMIT_GLOBAL: '100000',
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
    const flood = (async () => {
      while (flooding) {
        wave += 1;
        const answers = await Promise.all(
          Array.from({ length: FLOOD }, (_, i) =>
            post(`${service.url}/api/v1/auth/register`, { email: `f${wave}.${i}.${Date.now()}@example.com`, password: PASSWORD }),
          ),
        );
        for (const status of answers) statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 200)); // the first wave is in
    const flooded = await timeLogins(service.url, email, LOGINS);
    flooding = false;
    await flood;
    const result = {
      name,
      idle: { p50: percentile(idle, 50), p99: percentile(idle, 99) },
      flooded: { p50: percentile(flooded, 50), p99: percentile(flooded, 99) },
      ratioP99: percentile(flooded, 99) / percentile(idle, 99),
      registrations: Object.fromEntries(statuses),
      waves: wave,
    };
    console.log(
      `${name}: idle p50 ${result.idle.p50.toFixed(0)} ms p99 ${result.idle.p99.toFixed(0)} ms; flooded p50 ${result.flooded.p50.toFixed(0)} ms ` +
        `p99 ${result.flooded.p99.toFixed(0)} ms (${result.ratioP99.toFixed(2)}x); registrations ${JSON.stringify(result.registrations)} in ${wave} waves`,
    );
    return result;
  } finally {
    await stopServiceProcess(service);
    await dropDatabases([database]);
  }
}

const results = [
  await measure('bounded queue (default: 1 hash at a time, 4 waiting)', {}),
  await measure('unbounded (every registration hashes at once)', { USER_PASSWORD_HASH_CONCURRENCY: '1000', USER_PASSWORD_HASH_QUEUE: '0' }),
];
mkdirSync('bench/results', { recursive: true });
const file = `bench/results/user-login-flood-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
writeFileSync(file, `${JSON.stringify({ logins: LOGINS, flood: FLOOD, cpus: cpus().length, loadavg: loadavg(), results }, null, 2)}\n`);
console.log(`written to ${file}`);
