import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './dev/defaults.ts';

/** How long `git rev-parse` may take before the version is printed without a commit. */
const GIT_TIMEOUT_MS = 2_000;

/** The commit of the checkout the CLI runs from, `abc1234` (`+dirty` with local changes); undefined outside git. */
function gitCommit(): string | undefined {
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', REPO_ROOT, ...args], { encoding: 'utf8', timeout: GIT_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const commit = git('rev-parse', '--short', 'HEAD');
    const dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
    return `${commit}${dirty ? '+dirty' : ''}`;
  } catch {
    return undefined;
  }
}

/** `mobius 0.1.0 (commit abc1234)`: the root package.json's version, and the git commit when there is one. */
export function cliVersion(): string {
  const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  const commit = gitCommit();
  return `mobius ${version}${commit ? ` (commit ${commit})` : ''}`;
}
