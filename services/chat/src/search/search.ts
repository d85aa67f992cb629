import { CANARY } from '@mobius/contracts';
import type { Embedder } from '@mobius/embedder';
import type { Logger } from '@mobius/service';
import { scoreFromDistance, type NeighborQuery, type VectorIndex } from '@mobius/vector-index';
import type { PublishedChunk, PublishedChunkReader, SearchFilters, SearchRequest, SearchResult } from './types.ts';

/** What a search needs: rag's embedder (same provider and dimension), the index, Chat's rows. */
export interface SearchDeps {
  embedder: Embedder;
  index: VectorIndex;
  chunks: PublishedChunkReader;
  logger: Logger;
}

/** Each given filter as one allow-list restrict with one token (docs/contracts.md, "The vector index"). */
export function restrictsOf(filters: SearchFilters): NonNullable<NeighborQuery['restricts']> {
  return Object.entries(filters).map(([namespace, value]) => ({
    namespace: namespace as keyof SearchFilters,
    allowList: [value as string],
  }));
}

/** Whether Chat's row itself satisfies every filter: Chat is the truth when the index lags behind it. */
function matchesFilters(chunk: PublishedChunk, filters: SearchFilters): boolean {
  return Object.entries(filters).every(([namespace, value]) => chunk[namespace as keyof SearchFilters] === value);
}

/** The query's vector: the one given, or the query text embedded by rag's embedder. */
async function queryVector(deps: SearchDeps, request: SearchRequest): Promise<number[]> {
  if (request.vector) return request.vector;
  const [vector] = await deps.embedder.embed([request.query ?? '']);
  return vector!;
}

/**
 * One search: the `k` nearest datapoints under the filters (allow-list restricts), hydrated from
 * Chat's `published_rag_metadata`, nearest first, each scored `1 - distance / 2`. A hit with no row in
 * Chat (the index is ahead of Chat, or drifted) is dropped, as is a row that no longer matches the
 * filters, so a filter never lets another payer's (state's, ...) chunk through; fewer than `k`
 * results can come back. Dropped hits are logged (ids only) so drift shows up. The freshness canary's
 * rows (payer CANARY.payer, docs/status.md) are never returned, and not logged.
 */
export async function searchPublished(deps: SearchDeps, request: SearchRequest): Promise<SearchResult[]> {
  const neighbors = await deps.index.findNeighbors({
    featureVector: await queryVector(deps, request),
    neighborCount: request.k,
    restricts: restrictsOf(request.filters),
  });
  const chunks = await deps.chunks.findByIds(neighbors.map((neighbor) => neighbor.datapointId));
  const results: SearchResult[] = [];
  const dropped: string[] = [];
  for (const { datapointId, distance } of neighbors) {
    const chunk = chunks.get(datapointId.toLowerCase());
    if (chunk?.document_payer === CANARY.payer) continue;
    if (chunk && matchesFilters(chunk, request.filters)) results.push({ ...chunk, score: scoreFromDistance(distance) });
    else dropped.push(datapointId);
  }
  if (dropped.length > 0) {
    deps.logger.warn({ dropped: dropped.slice(0, 10), count: dropped.length }, 'vector hits without a matching published_rag_metadata row');
  }
  return results;
}
