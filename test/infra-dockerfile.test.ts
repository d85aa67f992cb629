import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The one image every service runs (docker-compose.yml, Cloud Run and GKE): read statically, no
// Docker engine here.
const CLI = ['node', 'bin/mobius.js'];

describe('Dockerfile', () => {
  const dockerfile = readFileSync('Dockerfile', 'utf8');
  // Its instructions, continuation lines joined, comments dropped.
  const instructions = dockerfile.replace(/\\\n/g, ' ').split('\n').filter((line) => line.trim() && !line.startsWith('#'));
  const installs = instructions.filter((line) => /^RUN .*npm (ci|install)\b/.test(line));
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const runtime = stages.at(-1)!;
  const baseImage = /^ARG NODE_IMAGE=(\S+)$/m.exec(dockerfile)?.[1];

  it('builds one non-root runtime on node:20-bookworm-slim that runs the mobius CLI', () => {
    expect(baseImage).toBe('node:20-bookworm-slim');
    expect(runtime.startsWith('${NODE_IMAGE}')).toBe(true);
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).not.toMatch(/^RUN .*(npm|apt-get)/m);
    expect(JSON.parse(/^CMD (.+)$/m.exec(runtime)![1]!).slice(0, 2)).toEqual(CLI);
  });

  it('installs production dependencies only, tsx (which runs the TypeScript) among them', () => {
    expect(installs.length).toBeGreaterThan(0);
    for (const install of installs) expect(install).toMatch(/npm ci --omit=dev/);
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies?: Record<string, string> };
    expect(pkg.dependencies?.tsx).toBeDefined();
    expect(readFileSync('bin/mobius.js', 'utf8')).toContain("from 'tsx/esm/api'");
  });

  it('keeps dependencies installed on the build machine, tests and local state out of the image', () => {
    const ignored = readFileSync('.dockerignore', 'utf8').split('\n').map((line) => line.trim());
    expect(ignored).toEqual(expect.arrayContaining(['**/node_modules', 'test', '**/*.test.ts', '.mobius', '.env']));
  });
});
