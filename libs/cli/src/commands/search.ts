import { join } from 'node:path';
import { DEFAULT_TENANT_ID, createTokenService } from '@mobius/auth';
import { DATA_FILES, DEV_DEFAULTS, dataDirOf } from '../dev/defaults.ts';
import { readSecret } from '../dev/secrets.ts';
import type { Env } from '@mobius/config';
import type { CliIO } from '../io.ts';
import { announceTarget, resolveCliEnv, serviceItem } from '../runtime/index.ts';

/** Every default of `mobius search`, in one place. */
export const SEARCH_DEFAULTS = {
  /** How long chat may take to answer. */
  requestTimeoutMs: 30_000,
  /** The `sub` of the token search mints for itself. */
  devUser: 'mobius-cli',
  /** Lifetime of that token: one search. */
  tokenMinutes: 5,
  /** Characters of a result's text shown. */
  excerptChars: 200,
} as const;

export interface SearchCommandOptions {
  payer?: string;
  state?: string;
  program?: string;
  authorityLevel?: string;
  /** Results asked for (1..100; chat's default 10); a string as commander passes it. */
  k?: string;
  /** Overrides CHAT_URL. */
  chatUrl?: string;
  /** A bearer access token; without it one is minted (JWT_SECRET, else the dev data directory's secret). */
  token?: string;
  /** Where `mobius dev` keeps its secret (default MOBIUS_DATA_DIR, else `<repo>/.mobius`). */
  dataDir?: string;
}

/**
 * `mobius search` failed. `code`: SEARCH_INPUT (an option), SEARCH_NO_TOKEN (no token and no secret
 * to mint one), CHAT_UNREACHABLE, CHAT_REJECTED (chat answered 4xx/5xx; 401 is a token chat refuses).
 */
export class SearchCommandError extends Error {
  constructor(
    readonly code: 'SEARCH_INPUT' | 'SEARCH_NO_TOKEN' | 'CHAT_UNREACHABLE' | 'CHAT_REJECTED',
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SearchCommandError';
  }
}

/** One result as chat answers it (the fields printed). */
interface SearchResult {
  score: number;
  document_filename: string;
  document_display_name: string;
  page_number: number;
  paragraph_index: number;
  section_path: string;
  text: string;
  document_payer: string;
  document_state: string;
  document_program: string;
  document_authority_level: string;
}

/** The bearer token: --token, else one minted with JWT_SECRET, else with the secret `mobius dev` keeps. */
async function bearerToken(options: SearchCommandOptions, env: Env): Promise<string> {
  if (options.token) return options.token;
  const path = join(dataDirOf(options.dataDir, env), DATA_FILES.jwtSecret);
  const secret = env.JWT_SECRET || (await readSecret(path));
  if (!secret) {
    throw new SearchCommandError(
      'SEARCH_NO_TOKEN',
      `no token: give --token, set JWT_SECRET, or start mobius dev once (it keeps its secret in ${path})`,
      false,
    );
  }
  const tokens = createTokenService({ secret });
  return tokens.mintAccessToken({ userId: SEARCH_DEFAULTS.devUser, tenantId: DEFAULT_TENANT_ID, minutes: SEARCH_DEFAULTS.tokenMinutes });
}

/** The request body: the query, `k` when given, and the filters given (state upper-cased, as rag stores it). */
function searchBody(text: string, options: SearchCommandOptions): Record<string, unknown> {
  if (text.trim() === '') throw new SearchCommandError('SEARCH_INPUT', 'the search text is empty', false);
  const body: Record<string, unknown> = { query: text };
  if (options.k !== undefined) {
    const k = Number(options.k);
    if (!Number.isInteger(k) || k < 1)
      throw new SearchCommandError('SEARCH_INPUT', `-k must be a positive integer, got ${JSON.stringify(options.k)}`, false);
    body.k = k;
  }
  const filters = {
    document_payer: options.payer,
    document_state: options.state?.toUpperCase(),
    document_program: options.program,
    document_authority_level: options.authorityLevel,
  };
  const given = Object.fromEntries(Object.entries(filters).filter(([, value]) => value !== undefined));
  if (Object.keys(given).length > 0) body.filters = given;
  return body;
}

/** POSTs the search; throws a one-line SearchCommandError when chat cannot be reached or refuses. */
async function postSearch(chatUrl: string, token: string, body: Record<string, unknown>): Promise<SearchResult[]> {
  let response: Response;
  try {
    response = await fetch(`${chatUrl}/v1/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(SEARCH_DEFAULTS.requestTimeoutMs),
    });
  } catch (error) {
    const reason = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new SearchCommandError('CHAT_UNREACHABLE', `cannot reach chat at ${chatUrl} (${reason}); is mobius dev running?`, true, { cause: error });
  }
  const answer = (await response.json().catch(() => ({}))) as { results?: SearchResult[]; error?: { code?: string; message?: string } };
  if (!response.ok) {
    const detail = [answer.error?.code, answer.error?.message].filter(Boolean).join(' ') || response.statusText;
    const hint = answer.error?.code === 'TOKEN_INVALID_SIGNATURE' ? " (signed with another JWT_SECRET than chat's)" : '';
    throw new SearchCommandError('CHAT_REJECTED', `chat answered ${response.status} ${detail}${hint}`.replace(/\s+/g, ' '), response.status >= 500);
  }
  return answer.results ?? [];
}

/** `prior-authorization.md, page 1, paragraph 2, Requirements [Sunshine Health, FL, Medicaid, payer_policy]`. */
function describeResult(result: SearchResult): string {
  const metadata = [result.document_payer, result.document_state, result.document_program, result.document_authority_level].filter(Boolean);
  const section = result.section_path ? ` - ${result.section_path}` : '';
  const tags = metadata.length ? `  [${metadata.join(', ')}]` : '';
  return `${result.document_filename}, page ${result.page_number}, paragraph ${result.paragraph_index}${section}${tags}`;
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= SEARCH_DEFAULTS.excerptChars ? flat : `${flat.slice(0, SEARCH_DEFAULTS.excerptChars - 1)}…`;
}

/**
 * `mobius search "<text>" [--payer P] [--state S] [--program P] [--authority-level A] [-k N]`: asks
 * chat (`POST /v1/search`; --chat-url, else CHAT_URL, else the running mobius dev's, else
 * http://localhost:8002) with a bearer
 * token, and prints the ranked results: rank, score, document, page and paragraph, section and
 * metadata, then an excerpt of the text. No results is not an error. Failures are one line and exit 1.
 */
export async function searchCommand(text: string, options: SearchCommandOptions, io: CliIO): Promise<void> {
  const resolved = await resolveCliEnv(io, options);
  const chatUrl = (options.chatUrl || resolved.env.CHAT_URL || DEV_DEFAULTS.chatUrl).replace(/\/+$/, '');
  const chat = options.chatUrl ? serviceItem('chat API', `${chatUrl} (--chat-url)`, undefined) : serviceItem('chat API', chatUrl, 'CHAT_URL');
  announceTarget(io, 'search', resolved, [chat]);
  const body = searchBody(text, options);
  const results = await postSearch(chatUrl, await bearerToken(options, resolved.env), body);
  if (results.length === 0) return io.out(`no results for ${JSON.stringify(text)}`);
  io.out(`${results.length} result${results.length === 1 ? '' : 's'} for ${JSON.stringify(text)}`);
  results.forEach((result, i) => {
    io.out(`${String(i + 1).padStart(2)}. ${result.score.toFixed(3)}  ${describeResult(result)}`);
    io.out(`    ${excerpt(result.text)}`);
  });
}
