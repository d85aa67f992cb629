import { copyFileSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTERNAL_PACKAGES, OPTIONAL_PACKAGES, bundle, type BundleResult } from '../scripts/bundle.ts';
import { mobius } from './support/cli.ts';
import { moduleDatabases } from './support/databases.ts';
import { spawnNode, stopProcess, waitForLine } from './support/processes.ts';
import { TEST_SERVICE_TOKEN } from './support/service-token.ts';

// The production path (Dockerfile): scripts/bundle.ts writes dist/, bin/mobius.js runs it. Built here
// in a folder of its own inside the repository (externals resolve from node_modules above it), with a
// copy of bin/mobius.js beside it and no sources: what starts there can only be the bundle.
const tree = join('node_modules', '.cache', `mobius-bundle-test-${process.pid}`);
const bin = join(tree, 'bin', 'mobius.js');
const dbs = moduleDatabases('bundle');
let built: BundleResult;

/** `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

beforeAll(async () => {
  rmSync(tree, { recursive: true, force: true });
  mkdirSync(join(tree, 'bin'), { recursive: true });
  copyFileSync('bin/mobius.js', bin);
  built = await bundle(join(tree, 'dist'));
  const migrated = await mobius(['migrate', '--env', 'dev', '--module', 'rag'], dbs.env);
  expect(migrated.code, migrated.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  rmSync(tree, { recursive: true, force: true });
  await dbs.drop();
});

describe('the bundle (npm run build, the image)', () => {
  it('imports only Node built-ins and the packages it leaves external, each a production dependency', () => {
    const builtins = new Set(builtinModules);
    const externalPattern = new RegExp(`^(${EXTERNAL_PACKAGES.map((name) => name.replace('*', '[^/]+')).join('|')})$`);
    const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const packages = built.externalImports.filter((name) => !name.startsWith('node:') && !builtins.has(name)).map(packageOf);
    expect(packages.length).toBeGreaterThan(0);
    for (const name of new Set(packages)) {
      expect(name, `${name} is imported but not external`).toMatch(externalPattern);
      // Required inside a try (absent in the image, or present as some tool's devDependency): nothing to install.
      if ((OPTIONAL_PACKAGES as readonly string[]).includes(name)) continue;
      // Otherwise `npm ci --omit=dev` (the image's node_modules) installs it.
      const entry = lock.packages[`node_modules/${name}`];
      expect(entry, `${name} is not installed`).toBeDefined();
      expect(entry!.dev, `${name} is a devDependency`).not.toBe(true);
    }
    for (const tool of ['tsx', 'typescript', 'esbuild']) expect(packages).not.toContain(tool);
  });

  it('`node bin/mobius.js start rag` serves from the bundle, traced (pg and http), and stops on SIGTERM', async () => {
    const rag = spawnNode([bin, 'start', 'rag'], {
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: dbs.env.DATABASE_URL!,
        BUS: 'memory',
        MOBIUS_SERVICE_TOKEN: TEST_SERVICE_TOKEN,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        // Spans printed on stdout: the instrumentations patch the pg and http that Node loads (pg stays external).
        OTEL_TRACES_EXPORTER: 'console',
      },
    });
    try {
      const line = await waitForLine(rag, /rag listening on/, 30_000);
      const url = /"address":"(http:\/\/[^"]+)"/.exec(line)?.[1];
      expect(url, line).toBeDefined();
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      // The OpenAPI document (@fastify/swagger, bundled) is generated from the route schemas.
      const openapi = await fetch(`${url}/docs/json`);
      expect(openapi.status).toBe(200);
      expect(((await openapi.json()) as { paths: Record<string, unknown> }).paths).toHaveProperty(['/documents']);
      const documents = await fetch(`${url}/documents`, { headers: { authorization: `Bearer ${TEST_SERVICE_TOKEN}` } });
      expect(documents.status, await documents.clone().text()).toBe(200);
      expect((await fetch(`${url}/documents`)).status).toBe(401);
    } finally {
      const stopped = await stopProcess(rag);
      expect(stopped.code, rag.errors.join('\n')).toBe(0);
    }
    // Flushed at shutdown: the request's server span and the queries it made.
    const printed = rag.lines.join('\n');
    expect(printed).toMatch(/name: '@opentelemetry\/instrumentation-http'/);
    expect(printed).toMatch(/name: 'pg\.query:SELECT /);
  });

  it('is left aside for the sources (tsx) once a source it was built from is newer', async () => {
    // A source listed in dist/inputs.json changed after the build: bin/mobius.js goes to
    // ../libs/cli/src/main.ts through tsx, which this tree does not have.
    const source = join(tree, 'libs', 'edited.ts');
    mkdirSync(join(tree, 'libs'), { recursive: true });
    writeFileSync(source, 'export {};\n');
    const later = new Date(Date.now() + 60_000);
    utimesSync(source, later, later);
    const inputs = join(tree, 'dist', 'inputs.json');
    writeFileSync(inputs, JSON.stringify([...JSON.parse(readFileSync(inputs, 'utf8')), 'libs/edited.ts']));
    const run = spawnNode([bin, '--version'], { env: { PATH: process.env.PATH ?? '' } });
    expect(await run.exited).not.toBe(0);
    expect(run.errors.join('\n')).toMatch(/libs\/cli\/src\/main\.ts/);
  });
});
