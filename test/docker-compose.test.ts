import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { MODULES, loadDatabaseConfig, pipelineEnvSchema } from '@mobius/config';
import { SHUTDOWN_DEADLINE_MS } from '@mobius/service';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildProgram } from '../libs/cli/src/program.ts';
import type { SERVICE_ENTRIES } from '../libs/cli/src/commands/start.ts';
import { LOCAL_VERTEX_RESOURCES } from '../libs/vector-index/src/factory.ts';
import { MERGE_LOCK_NAME } from '../libs/warehouse/src/adapters/bigquery/sql.ts';
import { MART_LOCK, WAREHOUSE_TABLES } from '../libs/warehouse/src/adapters/bigquery/tables.ts';
import { activeServices, environmentOf, loadCompose, type ComposeFile, type ComposeService } from './support/compose.ts';
import { SERVICES, checkServiceEnv } from './support/service-env.ts';
import { loadUserServiceConfig } from '../services/user/src/config.ts';

// No Docker engine runs on these machines, so the compose file is checked statically, as compose
// would read it: merge keys applied, `${...}` interpolated against the shell's variables, profiles.
const DEFAULT_SHELL = {};
const GCP_SHELL = { COMPOSE_PROFILES: 'gcp' };
const MODES = [
  ['by default', DEFAULT_SHELL],
  ['with COMPOSE_PROFILES=gcp', GCP_SHELL],
] as const;
const compose = loadCompose(DEFAULT_SHELL);
const MOBIUS_IMAGE = compose.services.rag?.image;
const CLI = ['node', 'bin/mobius.js'];

function service(file: ComposeFile, name: string): ComposeService {
  const found = file.services[name];
  if (!found) throw new Error(`no compose service ${name}`);
  return found;
}

/** The value of a `--flag=value` argument of a command. */
function flag(command: string[] | undefined, name: string): string | undefined {
  return command?.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
}

/** The ports a container listens on, from what configures it. */
function listeningPorts(file: ComposeFile, name: string): number[] {
  const svc = service(file, name);
  if (svc.image === MOBIUS_IMAGE) {
    const entry = svc.command?.[3] as keyof typeof SERVICE_ENTRIES | undefined;
    return entry && svc.command?.[2] === 'start' ? [checkServiceEnv(entry, environmentOf(svc)).port] : [];
  }
  switch (name) {
    case 'postgres':
      return [5432];
    case 'nats':
      return [4222, Number(svc.command?.[svc.command.indexOf('-m') + 1])];
    case 'pubsub-emulator':
      return [Number(flag(svc.command, 'host-port')?.split(':')[1])];
    case 'bigquery-emulator':
      return [Number(flag(svc.command, 'port')), Number(flag(svc.command, 'grpc-port'))];
    default:
      throw new Error(`no idea which ports ${name} listens on`);
  }
}

/** Compose services an environment points at (a URL's host, a `host:port`, or a bare host name), with the port named. */
function referencedServices(file: ComposeFile, self: string, env: Record<string, string>): { target: string; port?: number; variable: string }[] {
  const refs: { target: string; port?: number; variable: string }[] = [];
  for (const [variable, value] of Object.entries(env)) {
    let host = value;
    let port: number | undefined;
    const hostPort = /^([A-Za-z0-9.-]+):(\d+)$/.exec(value);
    if (hostPort) [host, port] = [hostPort[1]!, Number(hostPort[2])];
    else if (/^[a-z][a-z0-9+.-]*:\/\//.test(value)) {
      const url = new URL(value);
      [host, port] = [url.hostname, url.port ? Number(url.port) : undefined];
    }
    if (file.services[host] && host !== self) refs.push({ target: host, variable, ...(port === undefined ? {} : { port }) });
  }
  return refs;
}

function seconds(duration: string | undefined): number {
  const match = /^(\d+)s$/.exec(duration ?? '');
  if (!match) throw new Error(`unreadable duration ${duration}`);
  return Number(match[1]);
}

describe('docker-compose.yml', () => {
  it('runs Postgres and NATS with health checks', () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['postgres', 'nats', 'migrate']));
    expect(compose.services.postgres?.healthcheck).toBeDefined();
    expect(compose.services.nats?.healthcheck).toBeDefined();
    expect(compose.services.nats?.command).toContain('-js');
  });

  it('gives migrate an explicit database for every module (it would pass --env prod), on the compose Postgres', () => {
    const env = environmentOf(service(compose, 'migrate'));
    for (const module of MODULES) {
      const config = loadDatabaseConfig(module, env, { deployEnv: 'prod' });
      expect(config.databaseUrl).toMatch(/@postgres:5432\//);
    }
  });

  it('starts migrate only once Postgres is healthy, and runs it once: `mobius migrate --env dev` creates the databases', () => {
    const migrate = service(compose, 'migrate');
    expect(migrate.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(migrate.command).toEqual([...CLI, 'migrate', '--env', 'dev']);
    expect(migrate.image).toBe(MOBIUS_IMAGE);
    expect(migrate.restart).toBe('no');
  });

  it('runs every `mobius start` service in its own container of the one image', () => {
    expect(MOBIUS_IMAGE).toBeTruthy();
    for (const name of SERVICES) {
      const svc = service(compose, name);
      expect(svc.command, name).toEqual([...CLI, 'start', name]);
      expect(svc.image, name).toBe(MOBIUS_IMAGE);
      expect(svc.build, name).toEqual({ context: '.', dockerfile: 'Dockerfile' });
      // `mobius start <name>` imports the package's ./main export: it resolves to a file.
      const main = `@mobius/${name === 'vector-index' ? 'vector-index-server' : name}/main`;
      expect(existsSync(createRequire(import.meta.url).resolve(main)), main).toBe(true);
    }
    expect(existsSync('Dockerfile')).toBe(true);
    expect(existsSync(CLI[1]!)).toBe(true);
  });

  it('runs only commands the mobius CLI has', () => {
    const program = buildProgram({ env: {}, out: () => {}, err: () => {} });
    const command = (name: string) => program.commands.find((c) => c.name() === name);
    for (const [name, svc] of Object.entries(compose.services).filter(([, s]) => s.image === MOBIUS_IMAGE)) {
      const [node, script, sub, ...args] = svc.command ?? [];
      expect([node, script], name).toEqual(CLI);
      const cli = command(sub ?? '');
      expect(cli, `${name}: mobius ${sub}`).toBeDefined();
      if (sub === 'start') expect(cli!.registeredArguments[0]?.argChoices, name).toContain(args[0]);
      if (sub === 'migrate') expect(cli!.options.find((o) => o.long === '--env')?.argChoices, name).toContain(args[1]);
    }
  });

  for (const [mode, shell] of MODES) {
    it(`gives every service an environment its config accepts, every connection explicit (${mode})`, () => {
      const file = loadCompose(shell);
      for (const name of SERVICES) {
        const env = environmentOf(service(file, name));
        // checkServiceEnv throws on a variable outside the service's schemas or a missing connection.
        const checked = checkServiceEnv(name, env);
        expect(env.PORT, `${name} sets PORT`).toBeDefined();
        expect(checked.port, name).toBe(Number(env.PORT));
      }
    });

    it(`starts nothing before what it uses is healthy, or, for migrate, done (${mode})`, () => {
      const file = loadCompose(shell);
      const active = new Set(activeServices(file, shell));
      const after = new Map<string, string[]>();
      for (const name of active) {
        const svc = service(file, name);
        const refs = referencedServices(file, name, environmentOf(svc));
        for (const ref of refs) {
          expect(active.has(ref.target), `${name}.${ref.variable} points at ${ref.target}, which does not run ${mode}`).toBe(true);
          if (ref.port !== undefined) expect(listeningPorts(file, ref.target), `${name}.${ref.variable}`).toContain(ref.port);
        }
        const wanted = new Set(refs.map((ref) => ref.target));
        if (wanted.has('postgres') && name !== 'migrate') wanted.add('migrate');
        const deps = Object.entries(svc.depends_on ?? {});
        for (const [target, dep] of deps) {
          expect(file.services[target], `${name} depends on ${target}`).toBeDefined();
          if (!active.has(target)) {
            expect(dep.required, `${name} depends on ${target}, which does not run ${mode}`).toBe(false);
            continue;
          }
          if (target === 'migrate') expect(dep.condition, `${name} -> migrate`).toBe('service_completed_successfully');
          else {
            expect(dep.condition, `${name} -> ${target}`).toBe('service_healthy');
            expect(service(file, target).healthcheck, `${target} has a health check`).toBeDefined();
          }
        }
        const activeDeps = deps.map(([target]) => target).filter((target) => active.has(target));
        expect(new Set(activeDeps), `${name} waits for exactly what it uses`).toEqual(wanted);
        after.set(name, activeDeps);
      }
      // And the waits form no cycle: every service can start once the ones it waits for have.
      const started = new Set<string>();
      while (started.size < after.size) {
        const next = [...after].filter(([name, deps]) => !started.has(name) && deps.every((d) => started.has(d)));
        expect(next.length, `a depends_on cycle among ${[...after.keys()].filter((n) => !started.has(n))}`).toBeGreaterThan(0);
        for (const [name] of next) started.add(name);
      }
    });
  }

  it('switches the services to the Pub/Sub and BigQuery emulators with COMPOSE_PROFILES=gcp, and back without it', () => {
    const local = loadCompose(DEFAULT_SHELL);
    const gcp = loadCompose(GCP_SHELL);
    expect(activeServices(local, DEFAULT_SHELL)).not.toEqual(expect.arrayContaining(['pubsub-emulator']));
    expect(activeServices(local, DEFAULT_SHELL)).not.toEqual(expect.arrayContaining(['bigquery-emulator']));
    expect(activeServices(gcp, GCP_SHELL)).toEqual(expect.arrayContaining(['pubsub-emulator', 'bigquery-emulator']));
    const pubsub = service(gcp, 'pubsub-emulator');
    const bigquery = service(gcp, 'bigquery-emulator');
    const buses = SERVICES.filter((name) => checkServiceEnv(name, environmentOf(service(local, name))).bus);
    const warehouses = SERVICES.filter((name) => environmentOf(service(local, name)).WAREHOUSE_DATABASE_URL !== undefined);
    // The console reads backlog and dead letters from the bus and the latest mart run from the warehouse.
    expect(buses).toEqual(['rag', 'ingestor', 'mart-builder', 'chat-sync', 'vertex-sync', 'console']);
    expect(warehouses).toEqual(['ingestor', 'mart-builder', 'chat-sync', 'vertex-sync', 'console']);
    for (const name of buses) {
      expect(checkServiceEnv(name, environmentOf(service(local, name))).bus?.kind, name).toBe('nats');
      const bus = checkServiceEnv(name, environmentOf(service(gcp, name))).bus!;
      expect(bus.kind, name).toBe('pubsub');
      expect(bus.pubsub.emulatorHost, name).toBe(`pubsub-emulator:${listeningPorts(gcp, 'pubsub-emulator')[0]}`);
      expect(bus.pubsub.projectId, name).toBe(flag(pubsub.command, 'project'));
    }
    for (const name of warehouses) {
      expect(checkServiceEnv(name, environmentOf(service(local, name))).pipeline?.warehouse.kind, name).toBe('postgres');
      const warehouse = checkServiceEnv(name, environmentOf(service(gcp, name))).pipeline!.warehouse;
      expect(warehouse, name).toMatchObject({
        kind: 'bigquery',
        apiEndpoint: `http://bigquery-emulator:${flag(bigquery.command, 'port')}`,
        projectId: flag(bigquery.command, 'project'),
      });
    }
  });

  it('points chat and vertex-sync at the local vector index server, for the index it serves', () => {
    const server = environmentOf(service(compose, 'vector-index'));
    expect(server.VERTEX_INDEX_ID).toBe(LOCAL_VERTEX_RESOURCES.indexId);
    for (const name of ['chat', 'vertex-sync'] as const) {
      const index = checkServiceEnv(name, environmentOf(service(compose, name))).pipeline!.vectorIndex;
      if (index.kind !== 'local') throw new Error(`${name}: VECTOR_INDEX is ${index.kind}, not local`);
      expect(index.url, name).toBe(`http://vector-index:${server.PORT}`);
      expect(index.resources.indexId ?? LOCAL_VERTEX_RESOURCES.indexId, name).toBe(server.VERTEX_INDEX_ID);
    }
  });

  it('gives user, which signs tokens, and chat, which checks them, the same JWT_SECRET', () => {
    const user = environmentOf(service(compose, 'user'));
    expect(user.JWT_SECRET).toBeTruthy();
    expect(environmentOf(service(compose, 'chat')).JWT_SECRET).toBe(user.JWT_SECRET);
    const overridden = loadCompose({ JWT_SECRET: 'from-the-shell' });
    expect(environmentOf(service(overridden, 'user')).JWT_SECRET).toBe('from-the-shell');
    expect(environmentOf(service(overridden, 'chat')).JWT_SECRET).toBe('from-the-shell');
  });

  it('passes the user service GOOGLE_CLIENT_ID, MOBIUS_USER_INTERNAL_KEY, MOBIUS_USER_ADMIN_EMAILS and MOBIUS_SET_PASSWORD_URL_BASE from the shell, off when unset', () => {
    const unset = loadUserServiceConfig(environmentOf(service(compose, 'user')));
    expect(unset.google).toBeNull();
    expect(unset.directoryAccess).toEqual({ internalKey: null, adminEmails: new Set() });
    expect(unset.mail.setPasswordUrlBase).toBeNull();
    const shell = {
      GOOGLE_CLIENT_ID: 'web-client.apps.googleusercontent.com',
      MOBIUS_USER_INTERNAL_KEY: 'an-internal-key-from-the-shell',
      MOBIUS_USER_ADMIN_EMAILS: 'Ops@Example.com,lead@example.com',
      MOBIUS_SET_PASSWORD_URL_BASE: 'http://localhost:3000/set-password',
    };
    const set = loadUserServiceConfig(environmentOf(service(loadCompose(shell), 'user')));
    expect(set.google?.clientId).toBe(shell.GOOGLE_CLIENT_ID);
    expect(set.directoryAccess).toEqual({
      internalKey: shell.MOBIUS_USER_INTERNAL_KEY,
      adminEmails: new Set(['ops@example.com', 'lead@example.com']),
    });
    expect(set.mail.setPasswordUrlBase).toBe(shell.MOBIUS_SET_PASSWORD_URL_BASE);
  });

  it("checks every container's health on a port it listens on, and publishes only such ports", () => {
    const file = loadCompose(GCP_SHELL);
    for (const name of activeServices(file, GCP_SHELL)) {
      const svc = service(file, name);
      const ports = listeningPorts(file, name);
      for (const mapping of svc.ports ?? []) expect(ports, `${name} publishes ${mapping}`).toContain(Number(mapping.split(':').at(-1)));
      if (name === 'migrate') continue;
      const test = svc.healthcheck?.test ?? [];
      expect(test.length, `${name} has a health check`).toBeGreaterThan(1);
      const probed = [...test.join(' ').matchAll(/(?:127\.0\.0\.1|localhost)[:/](\d+)|\s-p\s+(\d+)/g)].map((m) => Number(m[1] ?? m[2]));
      expect(probed.length, `${name}'s health check names its port`).toBeGreaterThan(0);
      for (const port of probed) expect(ports, `${name}'s health check`).toContain(port);
      if (svc.image === MOBIUS_IMAGE) {
        // The image has no curl: node's fetch asks /readyz, which answers 200 only when the backends do.
        expect(test.slice(0, 3), name).toEqual(['CMD', 'node', '-e']);
        expect(test[3], name).toBe(`fetch('http://127.0.0.1:${ports[0]}/readyz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))`);
      }
    }
  });

  it('gives every Mobius container more time to stop than its drain takes', () => {
    for (const [name, svc] of Object.entries(compose.services).filter(([, s]) => s.image === MOBIUS_IMAGE)) {
      expect(seconds(svc.stop_grace_period) * 1000, name).toBeGreaterThan(SHUTDOWN_DEADLINE_MS);
    }
  });

  it('mounts only declared volumes and files that exist, and keeps the vector index on a volume', () => {
    const declared = Object.keys(compose.volumes ?? {});
    const mounts = new Map<string, string>();
    for (const [name, svc] of Object.entries(compose.services)) {
      for (const volume of svc.volumes ?? []) {
        const [source, target] = volume.split(':') as [string, string];
        if (source.startsWith('.') || source.startsWith('/')) expect(existsSync(source), `${name} mounts ${source}`).toBe(true);
        else {
          expect(declared, `${name} mounts volume ${source}`).toContain(source);
          mounts.set(`${name} ${target}`, source);
        }
      }
    }
    const dataDir = environmentOf(service(compose, 'vector-index')).VECTOR_INDEX_DATA_DIR;
    expect(mounts.get(`vector-index ${dataDir}`)).toBeDefined();
  });

  it("seeds the BigQuery emulator with exactly the warehouse's datasets and tables, and mart_lock's row", () => {
    const bigquery = service(loadCompose(GCP_SHELL), 'bigquery-emulator');
    const mount = bigquery.volumes?.find((v) => v.split(':')[1] === flag(bigquery.command, 'data-from-yaml'));
    expect(mount).toBeDefined();
    const seed = parse(readFileSync(mount!.split(':')[0]!, 'utf8')) as {
      projects: { id: string; datasets: { id: string; tables: { id: string; columns: unknown[]; data?: unknown[] }[] }[] }[];
    };
    const defaults = pipelineEnvSchema.parse({});
    expect(seed.projects.map((p) => p.id)).toEqual([flag(bigquery.command, 'project')]);
    const datasetOf = { landing: defaults.BQ_LANDING_DATASET, mart: defaults.BQ_DATASET };
    const expected = (['landing', 'mart'] as const).map((dataset) => ({
      id: datasetOf[dataset],
      tables: WAREHOUSE_TABLES.filter((t) => t.dataset === dataset).map((t) => ({
        id: t.name,
        columns: t.fields.map((f) => ({ name: f.name, type: f.type, mode: f.mode })),
        ...(t === MART_LOCK ? { data: [{ name: MERGE_LOCK_NAME, last_run_id: 0 }] } : {}),
      })),
    }));
    expect(seed.projects[0]!.datasets).toEqual(expected);
  });
});
