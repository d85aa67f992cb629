// docs/run-locally.md, "The whole pipeline locally", run as written: `npm start`, then every `npx mobius`
// command of the section in its order, as real processes, with nothing but PATH and the isolation the
// test needs (MOBIUS_ISOLATE: free ports; MOBIUS_DATA_DIR: a temporary data directory). The guide must
// end with a search, and that search must find the document the guide published.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const GUIDE = new URL('../docs/run-locally.md', import.meta.url);
const REPO = new URL('..', import.meta.url).pathname;
const READY_WITHIN_MS = 90_000;
/** The guide promises "well within a second"; the test allows for a loaded 2-core machine. */
const SEARCHABLE_WITHIN_MS = 20_000;

/** The shell commands of the section's ```sh blocks, in order. */
async function guideCommands(): Promise<string[]> {
  const guide = await readFile(GUIDE, 'utf8');
  const section = guide.split(/^## /m).find((part) => part.startsWith('The whole pipeline locally'));
  if (!section) throw new Error('docs/run-locally.md has no "The whole pipeline locally" section');
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!);
  return blocks.flatMap((block) =>
    block
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#')),
  );
}

/** Splits a command line as a shell would for these commands: words, and "double-quoted" words. */
function words(command: string): string[] {
  return [...command.matchAll(/"([^"]*)"|(\S+)/g)].map((match) => match[1] ?? match[2]!);
}

describe('docs/run-locally.md: the whole pipeline locally, command by command', () => {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/root',
    MOBIUS_ISOLATE: `t${randomBytes(3).toString('hex')}`,
  };
  let commands: string[];
  let dev: { child: ChildProcess; lines: string[]; exited: Promise<number | string> } | undefined;

  /** One `npx mobius ...` line, as `npx` runs it: the package's bin, in the checkout. */
  function runCli(command: string): Promise<{ code: number; stdout: string; stderr: string }> {
    const argv = words(command);
    expect(argv.slice(0, 2)).toEqual(['npx', 'mobius']);
    const child = spawn(process.execPath, [join(REPO, 'bin/mobius.js'), ...argv.slice(2)], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    return new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr })));
  }

  /** `npm start` in its own process group, resolved once dev says it is ready. */
  function npmStart(command: string): Promise<NonNullable<typeof dev>> {
    const child = spawn('npm', words(command).slice(1), { cwd: REPO, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    const exited = new Promise<number | string>((resolve) => child.once('close', (code, signal) => resolve(code ?? signal ?? 'unknown')));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm start did not get ready:\n${lines.join('\n')}`)), READY_WITHIN_MS);
      void exited.then((code) => reject(new Error(`npm start exited (${code}):\n${lines.join('\n')}`)));
      const onLine = (line: string) => {
        lines.push(line);
        if (!/^mobius dev: ready in /.test(line)) return;
        clearTimeout(timer);
        resolve({ child, lines, exited });
      };
      createInterface({ input: child.stdout! }).on('line', onLine);
      createInterface({ input: child.stderr! }).on('line', onLine);
    });
  }

  beforeAll(async () => {
    env.MOBIUS_DATA_DIR = await mkdtemp(join(tmpdir(), 'run-locally-guide-'));
    commands = await guideCommands();
  });

  afterAll(async () => {
    if (dev && dev.child.exitCode === null && dev.child.pid) {
      process.kill(-dev.child.pid, 'SIGTERM');
      await dev.exited;
    }
    if (env.MOBIUS_DATA_DIR) await rm(env.MOBIUS_DATA_DIR, { recursive: true, force: true });
  });

  it('is npm start, a publish and a search, in that order', () => {
    expect(commands.map((c) => words(c).slice(0, 3).join(' '))).toEqual(['npm start', 'npx mobius publish', 'npx mobius search']);
  });

  it(
    'npm start gets everything ready on free ports (MOBIUS_ISOLATE) in its data directory',
    async () => {
      dev = await npmStart(commands[0]!);
      const runtime = JSON.parse(await readFile(join(env.MOBIUS_DATA_DIR!, 'runtime.json'), 'utf8')) as { urls: Record<string, string> };
      const port = Number(/^http:\/\/(?:127\.0\.0\.1|localhost):(\d+)$/.exec(runtime.urls.rag ?? '')?.[1]);
      expect(port).toBeGreaterThan(0);
      expect(port).not.toBe(8001);
    },
    READY_WITHIN_MS + 10_000,
  );

  it(
    'the publish goes to its rag API, and the search then finds the published document first',
    async () => {
      const published = await runCli(commands[1]!);
      expect(published.code, published.stderr).toBe(0);
      expect(published.stdout).toMatch(/^published power-wheelchairs\.md: document [0-9a-f-]{36}, \d+ rows, version 1\n$/);
      expect(published.stderr).toContain('from the running mobius dev');

      const deadline = Date.now() + SEARCHABLE_WITHIN_MS;
      let found = await runCli(commands[2]!);
      while (!found.stdout.includes('power-wheelchairs.md') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        found = await runCli(commands[2]!);
      }
      expect(found.code, found.stderr).toBe(0);
      const lines = found.stdout.split('\n');
      expect(lines[0]).toMatch(/^\d+ results? for "face-to-face examination before a power wheelchair"$/);
      expect(lines[1]).toMatch(
        /^ 1\. 0\.\d{3} {2}power-wheelchairs\.md, page 1, paragraph \d+ - .*Face-to-face examination {2}\[Sunshine Health, FL, Medicaid\]$/,
      );
      expect(lines[2]).toContain('face-to-face examination by the treating');
    },
    SEARCHABLE_WITHIN_MS + 30_000,
  );
});
