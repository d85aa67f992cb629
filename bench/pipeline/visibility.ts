/**
 * What the benchmark watches: rows visible in Chat's published_rag_metadata and datapoints visible in
 * the local vector index server, asked the way a reader would (SQL on Chat, the server's HTTP API).
 */
import { LOCAL_VERTEX_RESOURCES } from '@mobius/vector-index';
import pg from 'pg';

const { project, region, indexId } = LOCAL_VERTEX_RESOURCES;

export class Visibility {
  readonly #chat: pg.Pool;
  readonly #indexBase: string;

  constructor(chatUrl: string, vectorIndexUrl: string) {
    this.#chat = new pg.Pool({ connectionString: chatUrl, max: 2 });
    this.#indexBase = `${vectorIndexUrl}/mobius/v1/projects/${project}/locations/${region}/indexes/${indexId}`;
  }

  async chatRows(): Promise<number> {
    const result = await this.#chat.query<{ rows: string }>('SELECT count(*)::text AS rows FROM published_rag_metadata');
    return Number(result.rows[0]!.rows);
  }

  /** Per document of `documentIds`, how many rows Chat holds (absent: none). */
  async chatRowsByDocument(documentIds: string[]): Promise<Map<string, number>> {
    const result = await this.#chat.query<{ document_id: string; rows: string }>(
      `SELECT document_id::text, count(*)::text AS rows FROM published_rag_metadata
        WHERE document_id = ANY($1::uuid[]) GROUP BY document_id`,
      [documentIds],
    );
    return new Map(result.rows.map((row) => [row.document_id, Number(row.rows)]));
  }

  async indexDatapoints(): Promise<number> {
    const response = await fetch(`${this.#indexBase}/datapointCount`);
    if (!response.ok) throw new Error(`datapointCount answered ${response.status}: ${await response.text()}`);
    return ((await response.json()) as { datapointCount: number }).datapointCount;
  }

  /** Those of `ids` the index holds. */
  async presentDatapoints(ids: string[]): Promise<Set<string>> {
    const response = await fetch(`${this.#indexBase}/presentDatapointIds`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ datapointIds: ids }),
    });
    if (!response.ok) throw new Error(`presentDatapointIds answered ${response.status}: ${await response.text()}`);
    return new Set(((await response.json()) as { datapointIds: string[] }).datapointIds);
  }

  async close(): Promise<void> {
    await this.#chat.end();
  }
}

/** Polls `probe` every `everyMs` until it is true; returns the time it first was (performance.now()). */
export async function whenTrue(what: string, probe: () => Promise<boolean>, timeoutMs: number, everyMs = 20): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await probe()) return performance.now();
    if (performance.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/**
 * Polls `count` until it reaches `target`; returns the time it did. Fails when the count has not moved
 * for `stallMs` (a stuck pipeline is reported at once, not after a long timeout).
 */
export async function whenCountReaches(
  what: string,
  count: () => Promise<number>,
  target: number,
  options: { stallMs: number; everyMs?: number; onProgress?: (value: number) => void },
): Promise<number> {
  let last = -1;
  let movedAt = performance.now();
  for (;;) {
    const value = await count();
    const now = performance.now();
    if (value >= target) return now;
    if (value !== last) {
      last = value;
      movedAt = now;
      options.onProgress?.(value);
    } else if (now - movedAt > options.stallMs) {
      throw new Error(`${what}: stuck at ${value} of ${target} for ${Math.round(options.stallMs / 1000)} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 20));
  }
}
