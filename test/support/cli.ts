import { runCli } from '@mobius/cli';

/** Runs the CLI in process with `env` as its whole environment; returns exit code and output lines. */
export async function mobius(argv: string[], env: Record<string, string | undefined>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { env, out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out, err, stdout: out.join('\n'), stderr: err.join('\n') };
}
