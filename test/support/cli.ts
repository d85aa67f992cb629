import { runCli } from '@mobius/cli';

/** Runs the CLI in process with `env` as its whole environment; returns exit code and output lines. */
export async function mobius(argv: string[], env: Record<string, string | undefined>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { env, out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out, err, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** The line every command prints on stderr naming what it acts on: `mobius migrate: rag postgresql://...; from ...`. */
const TARGET_LINE = /^mobius [a-z][a-z -]*: /;
/** A line of the CLI's progress printer: `migrate rag: [####----] 2/4 migrations (50%), ...`, `check chat: 12 rows, ...`. */
const PROGRESS_LINE = /^(migrate|check|repair|replay|clone-rag) [\w-]+: (\[[#-]+\] )?\d+/;

/** What replay says about following the redelivery (`replay: this bus cannot report ...`, `replay: x has no message pending`). */
const REPLAY_NOTE = /^replay: /;

/** The stderr lines that report something wrong: all but the command's target line, its progress lines and replay's notes. */
export function problemsIn(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line !== '' && !TARGET_LINE.test(line) && !PROGRESS_LINE.test(line) && !REPLAY_NOTE.test(line));
}
