import type { Env } from '@mobius/config';

/** What a command may touch of the outside world: the environment and two output streams. */
export interface CliIO {
  env: Env;
  /** Writes one line of normal output (progress, results). */
  out: (line: string) => void;
  /** Writes one line of diagnostics (errors). */
  err: (line: string) => void;
}

/** The real process's IO. A closed stdout (`mobius ... | head`) ends output quietly instead of crashing. */
export function processIO(): CliIO {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  return {
    env: process.env,
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  };
}
