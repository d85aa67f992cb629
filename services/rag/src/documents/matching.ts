import type { Chunk } from '../chunking/markdown.ts';
import type { StoredChunk } from '../repository/types.ts';

/** What stays the same chunk across a PUT: same page, same chapter and section, same text. */
function chunkKey(chunk: { pageNumber: number; chapterPath: string; sectionPath: string; text: string }): string {
  return JSON.stringify([chunk.pageNumber, chunk.chapterPath, chunk.sectionPath, chunk.text]);
}

export interface ChunkMatch {
  /** New chunks that match a stored one: it keeps its id (and its embedding, so its published row id). */
  kept: { chunk: Chunk; stored: StoredChunk }[];
  /** New chunks without a stored match: they get new ids. */
  added: Chunk[];
  /** Stored chunks no new chunk matches: they are deleted. */
  removed: StoredChunk[];
}

/**
 * Matches the new chunks of a document to its stored ones by page, chapter, section and text.
 * Identical paragraphs repeated in one section match in order of appearance.
 */
export function matchChunks(stored: StoredChunk[], next: Chunk[]): ChunkMatch {
  const available = new Map<string, StoredChunk[]>();
  for (const chunk of stored) {
    const key = chunkKey(chunk);
    available.set(key, [...(available.get(key) ?? []), chunk]);
  }
  const kept: ChunkMatch['kept'] = [];
  const added: Chunk[] = [];
  for (const chunk of next) {
    const match = available.get(chunkKey(chunk))?.shift();
    if (match) kept.push({ chunk, stored: match });
    else added.push(chunk);
  }
  const removed = [...available.values()].flat();
  return { kept, added, removed };
}
