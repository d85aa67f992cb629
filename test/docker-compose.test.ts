import { readFileSync } from 'node:fs';
import { MODULES, loadDatabaseConfig } from '@mobius/config';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// No Docker engine runs on these machines, so the compose file is checked statically.
const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as {
  services: Record<string, { environment?: Record<string, string>; depends_on?: Record<string, { condition: string }>; healthcheck?: unknown }>;
};

describe('docker-compose.yml', () => {
  it('runs Postgres and NATS with health checks', () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['postgres', 'nats', 'migrate']));
    expect(compose.services.postgres?.healthcheck).toBeDefined();
    expect(compose.services.nats?.healthcheck).toBeDefined();
  });

  it('gives migrate an explicit database for every module (it would pass --env prod), on the compose Postgres', () => {
    const env = compose.services.migrate?.environment ?? {};
    for (const module of MODULES) {
      const config = loadDatabaseConfig(module, env, { deployEnv: 'prod' });
      expect(config.databaseUrl).toMatch(/@postgres:5432\//);
    }
  });

  it('starts migrate only once Postgres is healthy', () => {
    expect(compose.services.migrate?.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
  });
});
