/**
 * The Embedder port (docs/architecture.md, "Ports and adapters"): turns texts into vectors of one
 * fixed length. Adapters: Vertex `gemini-embedding-001` in the cloud, the deterministic feature-hashing
 * embedder locally and in tests.
 */
export interface Embedder {
  /** Length of every vector `embed` returns (`EMBEDDING_DIMENSIONS`, default 1536). */
  readonly dimensions: number;
  /** Model name recorded with each embedding (`chunk_embeddings.model`, the published `model` column). */
  readonly model: string;
  /**
   * One vector per text, in the order given; each has `dimensions` finite numbers and unit L2 norm.
   * The same text always gets the same vector from the same model. Safe to call concurrently.
   * Rejects with an EmbedderError; `retryable` says whether trying again can help.
   */
  embed(texts: string[]): Promise<number[][]>;
}
