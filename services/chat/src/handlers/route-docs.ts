import type { RouteDoc } from '@mobius/service';
import { RESTRICT_NAMESPACES } from '@mobius/vector-index';
import { SEARCH_LIMITS } from '../search/request.ts';

// What the OpenAPI document at /docs says about chat's routes (docs/api/chat.md in prose). Documentation
// only: the handler validates the body itself (search/request.ts), so nothing here changes an answer.

const error = (description: string) => ({
  description,
  type: 'object',
  properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } } },
});

const text = { type: 'string' } as const;
const integer = { type: 'integer' } as const;

/** The documentation of each route, by `METHOD url`. */
export const CHAT_ROUTE_DOCS: Record<string, RouteDoc> = {
  'POST /v1/search': {
    summary: 'Search the published chunks',
    description:
      'Embeds `query` (or takes `vector`), asks the vector index for the `k` nearest chunks with the filters as allow lists, and answers them from Chat in rank order with `score = 1 - distance / 2`. Unknown fields are refused.',
    tags: ['search'],
    security: [{ bearer: [] }],
    body: {
      type: 'object',
      additionalProperties: false,
      properties: {
        query: { type: 'string', minLength: 1, maxLength: SEARCH_LIMITS.maxQueryChars, description: 'exactly one of query and vector' },
        vector: { type: 'array', items: { type: 'number' }, description: "the index's dimension of finite numbers" },
        k: { type: 'integer', minimum: 1, maximum: SEARCH_LIMITS.maxK, default: SEARCH_LIMITS.defaultK },
        filters: {
          type: 'object',
          nullable: true,
          additionalProperties: false,
          description: 'exact, case-sensitive values; "" matches an empty value',
          properties: Object.fromEntries(
            RESTRICT_NAMESPACES.map((name) => [name, { type: 'string', nullable: true, maxLength: SEARCH_LIMITS.maxFilterChars }]),
          ),
        },
      },
    },
    response: {
      200: {
        description: 'the results, best first',
        type: 'object',
        properties: {
          results: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                id: text,
                document_id: text,
                score: { type: 'number' },
                source_type: text,
                source_id: text,
                text,
                page_number: integer,
                paragraph_index: integer,
                section_path: text,
                chapter_path: text,
                summary: text,
                document_display_name: text,
                document_filename: text,
                document_payer: text,
                document_state: text,
                document_program: text,
                document_authority_level: text,
                document_effective_date: text,
                document_termination_date: text,
                updated_at: text,
              },
            },
          },
        },
      },
      400: error('INVALID_BODY, naming the field'),
      401: error('the token is refused (TOKEN_*, USER_INACTIVE)'),
      503: error('the database or the index does not answer'),
    },
  },
};
