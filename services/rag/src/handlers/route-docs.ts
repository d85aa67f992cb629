import { z } from 'zod';
import { documentBodySchema, publishBodySchema } from '../documents/input.ts';
import { LIST_DEFAULTS } from './list-documents.ts';
import type { RouteDoc } from '@mobius/service';

// What the OpenAPI document at /docs says about each rag route (docs/api/rag.md in prose). The bodies are
// generated from the zod schemas the handlers parse with, so the document follows the code; nothing here
// validates or filters (the handlers do), so documenting a route changes no answer.

/** The JSON schema of what a zod schema accepts, without the `$schema` line OpenAPI does not take. */
function accepts(schema: z.ZodType): object {
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'openapi-3.0' }) as Record<
    string,
    unknown
  >;
  return json;
}

const nullableString = { type: 'string', nullable: true } as const;

const idParam = {
  type: 'object',
  properties: { id: { type: 'string', format: 'uuid', description: "the document's uuid (any case)" } },
  required: ['id'],
} as const;

/** Every error answer: `{error: {code, message}}` (services/rag/src/errors.ts lists the codes). */
const error = (description: string) => ({
  description,
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' } },
      required: ['code', 'message'],
    },
  },
});

const guarded = {
  401: error('no credential, or one the guard refuses (docs/security.md)'),
  403: error('a valid person whose email or role is not allowed'),
};

const documentId = {
  description: 'the document',
  type: 'object',
  properties: { document_id: { type: 'string', format: 'uuid' } },
  required: ['document_id'],
} as const;

const removal = (description: string) => ({
  description,
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['ok'] },
    document_id: { type: 'string', format: 'uuid' },
    rows_deleted: { type: 'integer', description: 'published rows removed' },
    document_version: { type: 'integer', description: 'the version this event took in the document history' },
  },
});

const summary = {
  type: 'object',
  properties: {
    document_id: { type: 'string', format: 'uuid' },
    filename: { type: 'string' },
    display_name: nullableString,
    payer: nullableString,
    state: nullableString,
    program: nullableString,
    authority_level: nullableString,
    published: { type: 'boolean' },
    published_at: nullableString,
    version: { type: 'integer', nullable: true },
    created_at: { type: 'string' },
    updated_at: { type: 'string' },
  },
} as const;

/** The documentation of each route, by `METHOD url`. */
export const RAG_ROUTE_DOCS: Record<string, RouteDoc> = {
  'GET /documents': {
    summary: 'List documents',
    description: 'Documents ordered by filename then upload time; `filename` matches exactly (how `mobius publish` finds the document it replaces).',
    querystring: {
      type: 'object',
      properties: {
        filename: { type: 'string', description: 'only the documents with this filename' },
        limit: { type: 'integer', minimum: 1, maximum: LIST_DEFAULTS.maxLimit, default: LIST_DEFAULTS.limit },
      },
    },
    response: {
      200: { description: 'the documents', type: 'object', properties: { documents: { type: 'array', items: summary } } },
      400: error('limit out of range (INVALID_BODY)'),
      ...guarded,
    },
  },
  'POST /documents': {
    summary: 'Upload a document',
    description:
      'Stores the markdown, chunks it into paragraphs with page numbers and embeds every chunk. Nothing is published until `POST /documents/{id}/publish`.',
    body: accepts(documentBodySchema),
    response: {
      201: documentId,
      400: error('a field is missing or wrong (INVALID_BODY, naming it) or the text has no paragraph (DOCUMENT_EMPTY)'),
      413: error('body larger than RAG_BODY_LIMIT_BYTES'),
      ...guarded,
    },
  },
  'PUT /documents/:id': {
    summary: "Replace a document's text and metadata",
    description: 'Re-chunks and re-embeds the document; what is published changes only at the next publish.',
    params: idParam,
    body: accepts(documentBodySchema),
    response: {
      200: documentId,
      400: error('INVALID_BODY, DOCUMENT_EMPTY or INVALID_DOCUMENT_ID'),
      404: error('DOCUMENT_NOT_FOUND'),
      413: error('body larger than RAG_BODY_LIMIT_BYTES'),
      ...guarded,
    },
  },
  'POST /documents/:id/publish': {
    summary: 'Publish a document',
    description:
      "In one transaction: replaces the document's published rows with its current chunks and writes one publish event (the outbox the relay sends to `rag.publish_events`). The body is optional.",
    params: idParam,
    body: accepts(publishBodySchema),
    response: {
      200: {
        description: 'published',
        type: 'object',
        properties: {
          status: { type: 'string', enum: ['ok'] },
          document_id: { type: 'string', format: 'uuid' },
          rows_written: { type: 'integer' },
          verification_passed: { type: 'boolean' },
          verification_message: { type: 'string' },
          document_version: { type: 'integer', description: 'addition: the version this publish took' },
        },
      },
      400: error('INVALID_BODY or INVALID_DOCUMENT_ID'),
      404: error('DOCUMENT_NOT_FOUND'),
      422: error('stored embeddings unusable (EMBEDDING_INVALID); nothing was written'),
      ...guarded,
    },
  },
  'POST /documents/:id/unpublish': {
    summary: 'Unpublish a document',
    description: "Removes the document's published rows (the document stays) and writes an `unpublished` event, so every sink removes them.",
    params: idParam,
    response: { 200: removal('unpublished'), 400: error('INVALID_DOCUMENT_ID'), 404: error('DOCUMENT_NOT_FOUND'), ...guarded },
  },
  'DELETE /documents/:id': {
    summary: 'Delete a document',
    description: 'Deletes the document, its chunks and published rows, and writes an `unpublished` event that outlives it.',
    params: idParam,
    response: { 200: removal('deleted'), 400: error('INVALID_DOCUMENT_ID'), 404: error('DOCUMENT_NOT_FOUND'), ...guarded },
  },
  'GET /documents/:id/publish-status': {
    summary: 'Publish status of a document',
    description: '`{published: false}` when the latest event is not a publish, else the latest publish.',
    params: idParam,
    response: {
      200: {
        description: 'the latest publish, or published false',
        type: 'object',
        properties: {
          published: { type: 'boolean' },
          published_at: { type: 'string' },
          published_by: nullableString,
          rows_written: { type: 'integer' },
          verification_passed: { type: 'boolean', nullable: true },
          verification_message: nullableString,
        },
        required: ['published'],
      },
      400: error('INVALID_DOCUMENT_ID'),
      404: error('no document and no event with this id (DOCUMENT_NOT_FOUND)'),
      ...guarded,
    },
  },
};
