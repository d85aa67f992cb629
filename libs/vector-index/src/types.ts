/**
 * The VectorIndex port, shaped after Vertex AI Vector Search (docs/contracts.md, "The vector index"): 1536-dim
 * cosine index with streaming updates; a datapoint is the published row's id, its embedding, one
 * allow token in each of five namespaces, and the document id as crowding tag.
 */

/** The five restrict namespaces, each with exactly one allow token ('' when the value is empty). */
export const RESTRICT_NAMESPACES = ['document_payer', 'document_state', 'document_program', 'document_authority_level', 'source_type'] as const;

export type RestrictNamespace = (typeof RESTRICT_NAMESPACES)[number];

export interface Restrict {
  namespace: RestrictNamespace;
  allowList: [string];
}

export interface Datapoint {
  /** The published row id, lowercase hyphenated uuid. */
  datapointId: string;
  featureVector: number[];
  restricts: Restrict[];
  /** `{ crowdingAttribute: document_id }` */
  crowdingTag: { crowdingAttribute: string };
}

export interface NeighborQuery {
  featureVector: number[];
  neighborCount: number;
  /**
   * Allow-list filters: a datapoint matches when, for every given namespace, one of its tokens there is
   * in the list. An empty list matches nothing (it is not "no filter").
   */
  restricts?: { namespace: RestrictNamespace; allowList: string[] }[];
  /**
   * At most this many neighbours may share one crowding tag (one document), for diverse results; unset
   * or 0 means no limit. Vertex's `perCrowdingAttributeNeighborCount`.
   */
  perCrowdingAttributeNeighborCount?: number;
}

export interface Neighbor {
  datapointId: string;
  /** Cosine distance in [0, 2]; chat's score is 1 - distance / 2. */
  distance: number;
}

export interface VectorIndex {
  /** Inserts or replaces datapoints (idempotent). */
  upsertDatapoints(datapoints: Datapoint[]): Promise<void>;
  /** Removes datapoints by id; unknown ids are ignored (idempotent). */
  removeDatapoints(datapointIds: string[]): Promise<void>;
  /** The `neighborCount` nearest datapoints that pass the query's filters, nearest first (ties by id). */
  findNeighbors(query: NeighborQuery): Promise<Neighbor[]>;
  /** Reads datapoints by id (missing ids are absent from the result): for reconciliation and tests. */
  readDatapoints(datapointIds: string[]): Promise<Datapoint[]>;
  /**
   * Every datapoint id in the index, sorted: for reconciliation and tests. The memory index and the local
   * server can enumerate; Vertex AI cannot, and its adapter throws VectorIndexUnsupportedError.
   */
  listDatapointIds(): Promise<string[]>;
  close(): Promise<void>;
}
