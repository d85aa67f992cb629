import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { CliIO } from '../io.ts';

/** Where the rag API is when neither `--rag-url` nor `RAG_URL` says otherwise (its local default port). */
export const DEFAULT_RAG_URL = 'http://localhost:8001';
/** How long one request to the rag API may take (an upload is chunked and embedded before it answers). */
export const RAG_REQUEST_TIMEOUT_MS = 120_000;

export interface PublishCommandOptions {
  payer?: string;
  state?: string;
  program?: string;
  authorityLevel?: string;
  /** Overrides `RAG_URL`. */
  ragUrl?: string;
}

/** `mobius publish` failed. `code`: PUBLISH_INPUT (a path), RAG_UNREACHABLE, RAG_REJECTED (a 4xx/5xx answer). */
export class PublishCommandError extends Error {
  constructor(
    readonly code: 'PUBLISH_INPUT' | 'RAG_UNREACHABLE' | 'RAG_REJECTED',
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PublishCommandError';
  }
}

const isMarkdown = (path: string) => extname(path).toLowerCase() === '.md';

/** The markdown files `paths` name: files as given, directories as their `.md` files sorted by name. */
export async function markdownFiles(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
      throw new PublishCommandError('PUBLISH_INPUT', `cannot read ${path}: ${error.code ?? error.message}`, false, { cause: error });
    });
    if (info.isDirectory()) {
      const entries = await readdir(path, { withFileTypes: true });
      const found = entries.filter((e) => e.isFile() && isMarkdown(e.name)).map((e) => e.name).sort();
      if (found.length === 0) throw new PublishCommandError('PUBLISH_INPUT', `${path} has no .md files`, false);
      files.push(...found.map((name) => join(path, name)));
    } else if (isMarkdown(path)) {
      files.push(path);
    } else {
      throw new PublishCommandError('PUBLISH_INPUT', `${path} is not a .md file`, false);
    }
  }
  if (files.length === 0) throw new PublishCommandError('PUBLISH_INPUT', 'no files given', false);
  return files;
}

/** POSTs `body` as JSON and returns the JSON answer; throws a one-line PublishCommandError on failure. */
async function postJson(ragUrl: string, path: string, body: unknown, what: string): Promise<Record<string, unknown>> {
  let response: Response;
  try {
    response = await fetch(`${ragUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(RAG_REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    const reason = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new PublishCommandError('RAG_UNREACHABLE', `${what}: cannot reach the rag API at ${ragUrl} (${reason})`, true, { cause: error });
  }
  const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    const error = (answer.error ?? {}) as { code?: string; message?: string };
    const detail = [error.code, error.message].filter(Boolean).join(' ') || response.statusText;
    throw new PublishCommandError('RAG_REJECTED', `${what}: rag answered ${response.status} ${detail}`.replace(/\s+/g, ' '), response.status >= 500);
  }
  return answer;
}

/**
 * `mobius publish <file.md|dir>...`: uploads each markdown file to the rag API (`POST /documents`,
 * with the given payer, state, program and authority level) and publishes it
 * (`POST /documents/{id}/publish`), printing one line per file. Every path is checked before the
 * first upload. Stops at the first failure with a one-line error naming the file (files before it
 * stay published); `runCli` turns that into exit code 1.
 */
export async function publishCommand(paths: string[], options: PublishCommandOptions, io: CliIO): Promise<void> {
  const ragUrl = (options.ragUrl ?? io.env.RAG_URL ?? DEFAULT_RAG_URL).replace(/\/+$/, '');
  const files = await markdownFiles(paths);
  for (const file of files) {
    const name = basename(file);
    const text = await readFile(file, 'utf8');
    const upload = await postJson(
      ragUrl,
      '/documents',
      {
        filename: name,
        text,
        payer: options.payer,
        state: options.state,
        program: options.program,
        authority_level: options.authorityLevel,
      },
      `upload of ${name}`,
    );
    const id = String(upload.document_id);
    const published = await postJson(ragUrl, `/documents/${id}/publish`, { published_by: 'mobius-cli' }, `publish of ${name}`);
    io.out(`published ${name}: document ${id}, ${published.rows_written} rows, version ${published.document_version}`);
  }
}
