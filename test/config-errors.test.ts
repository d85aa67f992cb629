// A configuration error at start is one plain line on stderr naming the variable, and exit 1: no JSON,
// no stack trace, no secret. For every service as a container runs it (`node bin/mobius.js start <service>`,
// libs/service runServiceMain), a telemetry variable included, for `mobius dev` before it starts anything
// (libs/cli/src/dev/preflight.ts), and for CLI commands (runCli). The
// combinations are checked at parse time (libs/config superRefine), so they fail here too.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** No running `mobius dev` to borrow URLs from, and nothing of the machine's environment but PATH. */
const dataDir = mkdtempSync(join(tmpdir(), 'mobius-config-errors-'));

/** Runs `node bin/mobius.js ...args` with exactly `env`; resolves with its exit code and stderr lines. */
function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; lines: string[]; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/mobius.js', ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', MOBIUS_DATA_DIR: dataDir, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, lines: stderr.split('\n').filter((line) => line !== ''), stdout });
    });
  });
}

/** One service, a wrong environment, and the line it must print. */
const SERVICES: [service: string, env: Record<string, string>, line: string][] = [
  ['rag', { AUTH: 'none', DATABASE_URL: 'mysql://app:hunter2@db/rag' }, 'rag: rag config: DATABASE_URL is not a valid postgres:// URL'],
  ['ingestor', { BUS: 'pubsub', BUS_MODE: 'push' }, 'ingestor: pipeline config: PUSH_AUDIENCE is required with BUS_MODE=push and PUSH_AUTH=oidc'],
  [
    'mart-builder',
    { BUS: 'pubsub', PUBSUB_MIN_BACKOFF_SECONDS: '90', PUBSUB_MAX_BACKOFF_SECONDS: '30' },
    'mart-builder: pipeline config: PUBSUB_MAX_BACKOFF_SECONDS must not be below PUBSUB_MIN_BACKOFF_SECONDS',
  ],
  ['chat-sync', { WAREHOUSE: 'bigquery' }, 'chat-sync: pipeline config: BQ_PROJECT is required when WAREHOUSE=bigquery'],
  [
    'vertex-sync',
    { AUTH: 'none', VECTOR_INDEX: 'vertex', VERTEX_PROJECT: 'p' },
    'vertex-sync: pipeline config: VERTEX_REGION is required when VECTOR_INDEX=vertex',
  ],
  ['chat', { JWT_SECRET: 's', VECTOR_INDEX: 'local' }, 'chat: pipeline config: VECTOR_INDEX_URL is required when VECTOR_INDEX=local'],
  ['user', {}, 'user: user config: JWT_SECRET is required'],
  [
    'vector-index',
    { AUTH_OIDC_AUDIENCE: 'https://index.example' },
    'vector-index: vector-index config: AUTH_OIDC_SERVICE_ACCOUNTS is required with AUTH_OIDC_AUDIENCE',
  ],
  ['reconciler', { RECONCILE_INTERVAL_SECONDS: 'soon' }, 'reconciler: reconciler config: RECONCILE_INTERVAL_SECONDS is not a number'],
  [
    'console',
    { AUTH_ALLOWED_EMAILS: 'ops@example.com' },
    'console: console config: JWT_SECRET is required with AUTH_ALLOWED_EMAILS or AUTH_ALLOWED_ROLES',
  ],
];

function expectOnePlainLine(result: { code: number | null; lines: string[] }, line: string) {
  expect(result.lines).toEqual([line]);
  expect(result.code).toBe(1);
}

describe('a config error at start is one plain line naming the variable', () => {
  it.each(SERVICES)('mobius start %s', async (service, env, line) => {
    const result = await run(['start', service], env);
    expectOnePlainLine(result, line);
    expect(result.stdout).toBe('');
    expect(result.lines.join('\n')).not.toContain('hunter2');
  });

  it('a telemetry variable too (it is read first, before the service config)', async () => {
    const result = await run(['start', 'rag'], { AUTH: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' });
    expectOnePlainLine(result, 'rag: telemetry config: OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL, got "collector:4318/v1/traces"');
  });

  it.each([
    ['BUS=kafka', { BUS: 'kafka' }, 'pipeline config: BUS Invalid option: expected one of "nats"|"pubsub"|"memory"'],
    [
      'AUTH=required without a credential',
      { AUTH: 'required' },
      'rag config: AUTH is required (the default) but no credential is configured: set MOBIUS_SERVICE_TOKEN, AUTH_ALLOWED_EMAILS/AUTH_ALLOWED_ROLES with JWT_SECRET and USER_DATABASE_URL, or AUTH_OIDC_AUDIENCE; or AUTH=none where only you can reach the service',
    ],
    ['a user setting', { USER_PASSWORD_HASH_QUEUE: '-1' }, undefined],
  ] as [string, Record<string, string>, string | undefined][])(
    'mobius dev with %s: one line, before its Postgres starts or anything is written',
    async (_what, env, message) => {
      const devDir = mkdtempSync(join(tmpdir(), 'mobius-config-errors-dev-'));
      const result = await run(['dev', '--data-dir', devDir, '--port-base', '0', '--pg-port', '0'], env);
      expect(result.lines).toHaveLength(1);
      if (message) expect(result.lines[0]).toBe(`mobius: error: CONFIG_INVALID: ${message}`);
      else expect(result.lines[0]).toMatch(/^mobius: error: CONFIG_INVALID: user config: USER_PASSWORD_HASH_QUEUE /);
      expect(result.stdout).toBe('');
      expect(result.code).toBe(1);
      expect(readdirSync(devDir)).toEqual([]);
    },
  );

  it.each([
    [
      'status',
      { BUS: 'pubsub', BUS_MODE: 'push', PUSH_AUDIENCE: 'https://x' },
      'pipeline config: PUSH_SERVICE_ACCOUNT is required with BUS_MODE=push and PUSH_AUTH=oidc',
    ],
    ['migrate --module rag', { DATABASE_URL: 'mysql://app:hunter2@db/rag' }, 'rag config: DATABASE_URL is not a valid postgres:// URL'],
    ['resync --check', { VECTOR_INDEX: 'local' }, 'pipeline config: VECTOR_INDEX_URL is required when VECTOR_INDEX=local'],
    [
      'replay --subscription ingestor --from beginning',
      { BUS: 'nats', BUS_MODE: 'push' },
      'mobius config: BUS_MODE push needs BUS=pubsub (BUS is nats)',
    ],
  ] as [string, Record<string, string>, string][])('mobius %s', async (command, env, message) => {
    const args = command.split(' ');
    const result = await run(args, env);
    // Besides the line naming what the command acts on (stderr's `mobius <command>: ...`), one error line.
    const errors = result.lines.filter((line) => line.startsWith('mobius: '));
    expect(errors).toEqual([`mobius: error: CONFIG_INVALID: ${message}`]);
    expect(result.lines.filter((line) => !line.startsWith(`mobius ${args[0]}: `) && !line.startsWith('mobius: '))).toEqual([]);
    expect(result.code).toBe(1);
    expect(result.lines.join('\n')).not.toContain('hunter2');
  });
});
