import type { CliIO } from '../io.ts';
import { listDocuments, ragClient, type ListedDocument, type RagClient } from '../rag-client.ts';
import { announceTarget, resolveCliEnv } from '../runtime/index.ts';

export interface DocumentsCommandOptions {
  /** Overrides `RAG_URL`. */
  ragUrl?: string;
  /** The data directory of the `mobius dev` to find when RAG_URL is unset. */
  dataDir?: string;
  /** `list`: only documents of this filename. */
  filename?: string;
  /** `list`: a JSON array on stdout instead of the table. */
  json?: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `mobius documents` cannot tell which document is meant (code DOCUMENTS_INPUT): none or several of that filename. */
export class DocumentsCommandError extends Error {
  readonly code = 'DOCUMENTS_INPUT';
  readonly retryable = false;
}

/** The document id a reference names: an id as given, a filename when exactly one document has it. */
async function documentIdOf(rag: RagClient, reference: string): Promise<string> {
  if (UUID.test(reference)) return reference.toLowerCase();
  const found = await listDocuments(rag, reference);
  if (found.length === 1) return found[0]!.document_id;
  if (found.length === 0) throw new DocumentsCommandError(`no document is named ${reference} (mobius documents list shows them)`);
  const ids = found.map((d) => d.document_id).join(', ');
  throw new DocumentsCommandError(`${found.length} documents are named ${reference} (${ids}): give the id`);
}

/** `2f6c...  published    v3  prior-authorization.md  (Prior Authorization)` */
function documentLine(d: ListedDocument, width: number): string {
  const state = d.published ? 'published' : 'unpublished';
  const version = d.version === null ? '-' : `v${d.version}`;
  const display = d.display_name ? `  (${d.display_name})` : '';
  return `${d.document_id}  ${state.padEnd(11)}  ${version.padStart(width)}  ${d.filename}${display}`;
}

async function list(rag: RagClient, options: DocumentsCommandOptions, io: CliIO): Promise<void> {
  const documents = await listDocuments(rag, options.filename);
  if (options.json) return io.out(JSON.stringify(documents, null, 2));
  if (documents.length === 0) return io.out(options.filename ? `no document is named ${options.filename}` : 'no documents');
  const width = Math.max(...documents.map((d) => (d.version === null ? 1 : `v${d.version}`.length)));
  for (const document of documents) io.out(documentLine(document, width));
  const published = documents.filter((d) => d.published).length;
  io.out(`${documents.length} document${documents.length === 1 ? '' : 's'}, ${published} published`);
}

/**
 * `mobius documents list [--filename F] [--json]`, `unpublish <id|filename>...`, `delete
 * <id|filename>...`, through the rag API (`GET /documents`, `POST /documents/{id}/unpublish`, `DELETE
 * /documents/{id}`). A filename names the one document of that name; several of one name need the id.
 * Unpublish removes the published rows (Chat and the index follow through the pipeline) and keeps the
 * document; delete removes both. One line per document.
 */
export async function documentsCommand(
  action: 'list' | 'unpublish' | 'delete',
  references: string[],
  options: DocumentsCommandOptions,
  io: CliIO,
): Promise<void> {
  const resolved = await resolveCliEnv(io, options);
  const rag = ragClient(options.ragUrl, resolved);
  announceTarget(io, `documents ${action}`, resolved, [rag.target]);
  if (action === 'list') return list(rag, options, io);
  if (references.length === 0) throw new DocumentsCommandError(`say which documents to ${action} (ids or filenames)`);
  const ids: [string, string][] = [];
  for (const reference of references) ids.push([reference, await documentIdOf(rag, reference)]);
  for (const [reference, id] of ids) {
    const named = reference === id ? id : `${reference} (${id})`;
    const result =
      action === 'unpublish'
        ? await rag.request('POST', `/documents/${id}/unpublish`, {}, `unpublish of ${reference}`)
        : await rag.request('DELETE', `/documents/${id}`, undefined, `delete of ${reference}`);
    const done = action === 'unpublish' ? 'unpublished' : 'deleted';
    io.out(`${done} ${named}: ${result.rows_deleted} published rows removed, version ${result.document_version}`);
  }
}
