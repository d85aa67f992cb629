import { invalidBody } from '../errors.ts';
import type { DocumentSummary } from '../repository/types.ts';
import type { HandlerDeps, Route } from './types.ts';

/** `GET /documents` answers at most this many documents unless `limit` says fewer (or more, up to MAX). */
export const LIST_DEFAULTS = {
  /** Documents listed when `limit` is not given. */
  limit: 1_000,
  /** The largest `limit` accepted. */
  maxLimit: 10_000,
} as const;

function parseLimit(value: string | undefined): number {
  if (value === undefined || value === '') return LIST_DEFAULTS.limit;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > LIST_DEFAULTS.maxLimit) {
    throw invalidBody(`limit must be an integer from 1 to ${LIST_DEFAULTS.maxLimit}, got ${JSON.stringify(value.slice(0, 32))}`);
  }
  return limit;
}

const asJson = (d: DocumentSummary) => ({
  document_id: d.id,
  filename: d.filename,
  display_name: d.displayName,
  payer: d.payer,
  state: d.state,
  program: d.program,
  authority_level: d.authorityLevel,
  published: d.published,
  published_at: d.publishedAt,
  version: d.version,
  created_at: d.createdAt,
  updated_at: d.updatedAt,
});

/**
 * `GET /documents[?filename=NAME][&limit=N]` -> 200 `{documents: [{document_id, filename, display_name,
 * payer, state, program, authority_level, published, published_at, version, created_at, updated_at}]}`,
 * ordered by filename then upload time. `filename` matches exactly: `mobius publish` finds the document
 * it replaces with it.
 */
export function listDocumentsRoute(deps: HandlerDeps): Route {
  return {
    method: 'GET',
    url: '/documents',
    async handle(request) {
      const filename = request.query.filename;
      const limit = parseLimit(request.query.limit);
      const documents = await deps.documents.listDocuments({ ...(filename ? { filename } : {}), limit });
      return { status: 200, body: { documents: documents.map(asJson) } };
    },
  };
}
