import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The one image every service runs (docker-compose.yml, Cloud Run and GKE): read statically, no
// Docker engine here.
const CLI = ['node', 'bin/mobius.js'];

describe('Dockerfile', () => {
  const dockerfile = readFileSync('Dockerfile', 'utf8');
  // Its instructions, continuation lines joined, comments dropped.
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((line) => line.trim() && !line.startsWith('#'));
  const installs = instructions.filter((line) => /^RUN .*npm (ci|install)\b/.test(line));
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const runtime = stages.at(-1)!;
  const baseImage = /^ARG NODE_IMAGE=(\S+)$/m.exec(dockerfile)?.[1];

  it('builds one non-root runtime on node:22-bookworm-slim that runs the mobius CLI', () => {
    expect(baseImage).toBe('node:22-bookworm-slim');
    expect(runtime.startsWith('${NODE_IMAGE}')).toBe(true);
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).not.toMatch(/^RUN .*(npm|apt-get)/m);
    expect(JSON.parse(/^CMD (.+)$/m.exec(runtime)![1]!).slice(0, 2)).toEqual(CLI);
  });

  it('bundles in a build stage; the runtime takes the bundle and production dependencies, no sources', () => {
    const build = stages.find((stage) => /^\S+ AS build$/m.test(stage))!;
    expect(build).toBeDefined();
    expect(build).toMatch(/^RUN npm ci --ignore-scripts\b/m);
    expect(build).toMatch(/npm run bundle/);
    const copies = runtime.split('\n').filter((line) => line.startsWith('COPY'));
    expect(copies).toEqual(['COPY --from=deps /app/node_modules ./node_modules', 'COPY --from=build /out/ ./']);
    // What the build stage hands over: the bundle, the CLI's entry and the SQL migrations, no TypeScript.
    expect(build).toMatch(/cp -r --parents package\.json bin\/mobius\.js dist \$\(find libs services .*-name migrations\) \/out\//);
    // Two installs: production dependencies for the runtime, everything (no install scripts) to build.
    expect(installs.map((line) => /npm ci (--\S+)/.exec(line)?.[1])).toEqual(['--omit=dev', '--ignore-scripts']);
    const deps = stages.find((stage) => /^\S+ AS deps$/m.test(stage))!;
    expect(deps).toMatch(/^RUN npm ci --omit=dev\b/m);
  });

  it('carries no TypeScript toolchain: tsx, typescript and esbuild are devDependencies only', () => {
    // --omit=dev leaves out exactly the lockfile entries marked dev.
    const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, { dev?: boolean; devOptional?: boolean }> };
    const toolchain = Object.entries(lock.packages).filter(([path]) => /node_modules\/(tsx|typescript|esbuild|@esbuild\/[^/]+)$/.test(path));
    expect(toolchain.length).toBeGreaterThan(0);
    for (const [path, entry] of toolchain) expect(entry.dev || entry.devOptional, path).toBe(true);
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
      dependencies?: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(pkg.dependencies?.tsx).toBeUndefined();
    expect(pkg.devDependencies).toMatchObject({
      tsx: expect.any(String),
      esbuild: expect.stringMatching(/^\d+\.\d+\.\d+$/),
      typescript: expect.any(String),
    });
    // bin/mobius.js runs the bundle; tsx only in a checkout without a current build.
    const bin = readFileSync('bin/mobius.js', 'utf8');
    expect(bin).toContain("new URL('../dist/mobius.js', import.meta.url)");
    expect(bin).not.toMatch(/^import .*tsx/m);
  });

  it('keeps dependencies installed on the build machine, tests and local state out of the image', () => {
    const ignored = readFileSync('.dockerignore', 'utf8')
      .split('\n')
      .map((line) => line.trim());
    expect(ignored).toEqual(expect.arrayContaining(['**/node_modules', 'test', '**/*.test.ts', '.mobius', '.env']));
  });
});
