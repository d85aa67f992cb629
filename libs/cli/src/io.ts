import { createInterface } from 'node:readline/promises';
import { isolatedDevEnv, type Env } from '@mobius/config';

/** What a command may touch of the outside world: the environment and two output streams. */
export interface CliIO {
  env: Env;
  /** Writes one line of normal output (progress, results). */
  out: (line: string) => void;
  /** Writes one line of diagnostics (errors). */
  err: (line: string) => void;
  /** (Added.) stderr is a terminal: long work shows progress (rate, ETA) every second there, else a line per 10%. */
  terminal?: boolean;
  /**
   * (Added.) Asks on the terminal and resolves with the answer line; absent when stdin is not a terminal,
   * so a command that needs a confirmation (`mobius dlq purge`) refuses instead of waiting on a pipe.
   */
  ask?: (question: string) => Promise<string>;
}

/** The real process's IO. A closed stdout (`mobius ... | head`) ends output quietly instead of crashing. */
export function processIO(): CliIO {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  const io: CliIO = {
    // MOBIUS_ISOLATE=<name>: mobius dev's own data directory and free ports (docs/configuration.md).
    env: isolatedDevEnv(process.env),
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    terminal: process.stderr.isTTY === true,
  };
  if (process.stdin.isTTY) io.ask = askOnTerminal;
  return io;
}

/** One question on the terminal (stderr, so stdout stays the command's output); the answer trimmed. */
async function askOnTerminal(question: string): Promise<string> {
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await terminal.question(question)).trim();
  } finally {
    terminal.close();
  }
}
