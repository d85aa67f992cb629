import { z } from 'zod';
import { invalidBody, invalidDocumentId } from '../errors.ts';
import type { DocumentMetadata } from '../repository/types.ts';

const required = (kind: string) => ({
  error: (issue: { input: unknown }) => (issue.input === undefined ? 'is required' : `must be ${kind}`),
});

/** An optional string of at most `max` characters (the column's varchar size); trimmed; null when absent. */
const optionalText = (max: number) =>
  z
    .string(required('a string'))
    .trim()
    .max(max, `must be at most ${max} characters`)
    .nullish()
    .transform((value) => value ?? null);

/** The body of `POST /documents` and `PUT /documents/{id}` (docs/api/rag.md). */
export const documentBodySchema = z.object(
  {
    filename: z.string(required('a string')).trim().min(1, 'must not be empty').max(255, 'must be at most 255 characters'),
    display_name: optionalText(255),
    text: z
      .string(required('a string of markdown'))
      .refine((text) => text.trim() !== '', 'must not be empty or whitespace only')
      .refine((text) => !text.includes('\u0000'), 'must not contain NUL characters'),
    payer: optionalText(100),
    state: z
      .string(required('a string'))
      .trim()
      .regex(/^([A-Za-z]{2})?$/, 'must be a 2-letter USPS code or empty')
      .transform((state) => state.toUpperCase())
      .nullish()
      .transform((value) => value ?? null),
    program: optionalText(100),
    authority_level: optionalText(100),
    effective_date: optionalText(20),
    termination_date: optionalText(20),
  },
  { error: () => 'must be a JSON object' },
);

/** The body of `POST /documents/{id}/publish`; the body itself is optional. */
export const publishBodySchema = z
  .object({ published_by: optionalText(255) }, { error: () => 'must be a JSON object' })
  .nullish()
  .transform((body) => ({ publishedBy: body?.published_by ?? null }));

/** Any uuid spelling Postgres accepts in canonical form (the existing app's ids may be of any version). */
const documentIdSchema = z.guid();

/** Parses `body` with `schema`, or throws a 400 naming the first wrong field: `text must not be empty ...`. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.length > 0 ? issue.path.join('.') : 'body';
  throw invalidBody(`${field} ${issue.message}`);
}

/** The path's document id, lowercased; a 400 when it is not a uuid. */
export function parseDocumentId(id: string | undefined): string {
  const result = documentIdSchema.safeParse(id);
  if (!result.success) throw invalidDocumentId(id ?? '');
  return result.data.toLowerCase();
}

/** The validated upload: its metadata for the documents table and its markdown. */
export function parseDocumentBody(body: unknown): { metadata: DocumentMetadata; text: string } {
  const parsed = parseBody(documentBodySchema, body);
  return {
    text: parsed.text,
    metadata: {
      filename: parsed.filename,
      displayName: parsed.display_name,
      payer: parsed.payer,
      state: parsed.state,
      program: parsed.program,
      authorityLevel: parsed.authority_level,
      effectiveDate: parsed.effective_date,
      terminationDate: parsed.termination_date,
    },
  };
}
