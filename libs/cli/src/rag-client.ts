import { serviceItem, type ResolvedCliEnv, type TargetItem } from './runtime/index.ts';

/** Every default of the CLI's rag API client, in one place. */
export const RAG_CLIENT_DEFAULTS = {
  /** Where the rag API is when neither `--rag-url` nor `RAG_URL` (nor a running mobius dev) says: its local default port. */
  ragUrl: 'http://localhost:8001',
  /** How long one request may take (an upload is chunked and embedded before it answers). */
  requestTimeoutMs: 120_000,
} as const;

/**
 * A call to the rag API failed. `code`: RAG_UNREACHABLE (no answer; retryable), RAG_REJECTED (a
 * 4xx/5xx answer; 5xx retryable). `status` is the HTTP status when there was an answer.
 */
export class RagClientError extends Error {
  constructor(
    readonly code: 'RAG_UNREACHABLE' | 'RAG_REJECTED',
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RagClientError';
  }
}

/** The rag API as the CLI calls it: JSON in, JSON out, every failure one line naming `what` and the URL. */
export interface RagClient {
  /** The base URL, no trailing slash. */
  url: string;
  /** The line item naming it (`rag API http://...`), for the command's target line. */
  target: TargetItem;
  request(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body: unknown, what: string): Promise<Record<string, unknown>>;
}

/**
 * The rag API: `--rag-url`, else RAG_URL (the environment's, else the running mobius dev's), else
 * localhost:8001. Every call carries MOBIUS_SERVICE_TOKEN as its bearer credential when it is set (the
 * API needs one unless rag runs with AUTH=none, as `mobius dev` does by default).
 */
export function ragClient(flag: string | undefined, resolved: ResolvedCliEnv): RagClient {
  const url = (flag || resolved.env.RAG_URL || RAG_CLIENT_DEFAULTS.ragUrl).replace(/\/+$/, '');
  const target = flag ? serviceItem('rag API', `${url} (--rag-url)`, undefined) : serviceItem('rag API', url, 'RAG_URL');
  const token = resolved.env.MOBIUS_SERVICE_TOKEN;
  const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  return { url, target, request: (method, path, body, what) => requestJson(url, auth, method, path, body, what) };
}

async function requestJson(
  url: string,
  auth: Record<string, string>,
  method: string,
  path: string,
  body: unknown,
  what: string,
): Promise<Record<string, unknown>> {
  let response: Response;
  try {
    response = await fetch(`${url}${path}`, {
      method,
      headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(RAG_CLIENT_DEFAULTS.requestTimeoutMs),
    });
  } catch (error) {
    const reason = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new RagClientError('RAG_UNREACHABLE', `${what}: cannot reach the rag API at ${url} (${reason})`, true, undefined, { cause: error });
  }
  const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    const error = (answer.error ?? {}) as { code?: string; message?: string };
    const hint = response.status === 401 ? " (set MOBIUS_SERVICE_TOKEN to the rag service's)" : '';
    const detail = ([error.code, error.message].filter(Boolean).join(' ') || response.statusText) + hint;
    throw new RagClientError(
      'RAG_REJECTED',
      `${what}: rag answered ${response.status} ${detail}`.replace(/\s+/g, ' '),
      response.status >= 500,
      response.status,
    );
  }
  return answer;
}

/** A document as `GET /documents` lists it. */
export interface ListedDocument {
  document_id: string;
  filename: string;
  display_name: string | null;
  published: boolean;
  published_at: string | null;
  version: number | null;
  created_at: string;
}

/** `GET /documents[?filename=]`: the documents, ordered by filename then upload time. */
export async function listDocuments(rag: RagClient, filename?: string): Promise<ListedDocument[]> {
  const query = filename === undefined ? '' : `?filename=${encodeURIComponent(filename)}`;
  const answer = await rag.request('GET', `/documents${query}`, undefined, filename === undefined ? 'list of documents' : `lookup of ${filename}`);
  return (answer.documents ?? []) as ListedDocument[];
}
