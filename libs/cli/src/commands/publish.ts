import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { CliIO } from '../io.ts';
import { listDocuments, ragClient, type RagClient } from '../rag-client.ts';
import { announceTarget, resolveCliEnv } from '../runtime/index.ts';

export interface PublishCommandOptions {
  payer?: string;
  state?: string;
  program?: string;
  authorityLevel?: string;
  /** Overrides `RAG_URL`. */
  ragUrl?: string;
  /** Upload as a new document even when one of the same filename exists (default: replace that one). */
  new?: boolean;
  /** The data directory of the `mobius dev` to find when RAG_URL is unset. */
  dataDir?: string;
}

/** `mobius publish` was given a path it cannot use (code PUBLISH_INPUT); the rag API's failures are RagClientErrors. */
export class PublishCommandError extends Error {
  constructor(
    readonly code: 'PUBLISH_INPUT',
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
      const found = entries
        .filter((e) => e.isFile() && isMarkdown(e.name))
        .map((e) => e.name)
        .sort();
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

/** The document a republish of `name` replaces: the newest of that filename, and how many there are. */
async function documentToReplace(rag: RagClient, name: string): Promise<{ id: string; count: number } | undefined> {
  const found = await listDocuments(rag, name);
  const newest = found.at(-1);
  return newest ? { id: newest.document_id, count: found.length } : undefined;
}

/**
 * `mobius publish <file.md|dir>... [--new]`: publishes each markdown file through the rag API,
 * printing one line per file. Idempotent per file: when a document of the same filename exists
 * (`GET /documents?filename=`), its content and metadata are replaced (`PUT /documents/{id}`, which
 * keeps the ids of unchanged chunks) and it is published again as a new version; otherwise, or with
 * `--new`, it is uploaded as a new document (`POST /documents`). Every path is checked before the
 * first upload. Stops at the first failure with a one-line error naming the file (files before it
 * stay published); `runCli` turns that into exit code 1.
 */
export async function publishCommand(paths: string[], options: PublishCommandOptions, io: CliIO): Promise<void> {
  const resolved = await resolveCliEnv(io, options);
  const rag = ragClient(options.ragUrl, resolved);
  announceTarget(io, 'publish', resolved, [rag.target]);
  const files = await markdownFiles(paths);
  for (const file of files) {
    const name = basename(file);
    const body = {
      filename: name,
      text: await readFile(file, 'utf8'),
      payer: options.payer,
      state: options.state,
      program: options.program,
      authority_level: options.authorityLevel,
    };
    const existing = options.new ? undefined : await documentToReplace(rag, name);
    let id: string;
    if (existing) {
      await rag.request('PUT', `/documents/${existing.id}`, body, `replace of ${name}`);
      id = existing.id;
    } else id = String((await rag.request('POST', '/documents', body, `upload of ${name}`)).document_id);
    const published = await rag.request('POST', `/documents/${id}/publish`, { published_by: 'mobius-cli' }, `publish of ${name}`);
    const replaced = existing ? ` (replaced${existing.count > 1 ? ` the newest of ${existing.count} documents named ${name}` : ''})` : '';
    io.out(`published ${name}: document ${id}, ${published.rows_written} rows, version ${published.document_version}${replaced}`);
  }
}
