/**
 * The VectorIndex port, shaped after Vertex AI Vector Search (CONTRACTS.md section 4): 1536-dim
 * cosine index with streaming updates; a datapoint is the published row's id, its embedding, one
 * allow token in each of five namespaces, and the document id as crowding tag.
 */

/** The five restrict namespaces, each with exactly one allow token ('' when the value is empty). */
export const RESTRICT_NAMESPACES = [
  'document_payer',
  'document_state',
  'document_program',
  'document_authority_level',
  'source_type',
] as const;

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
  /** Allow-list filters: a datapoint matches when, for every given namespace, its token is in the list. */
  restricts?: { namespace: RestrictNamespace; allowList: string[] }[];
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
  findNeighbors(query: NeighborQuery): Promise<Neighbor[]>;
  /** Reads datapoints by id (missing ids are absent from the result): for reconciliation and tests. */
  readDatapoints(datapointIds: string[]): Promise<Datapoint[]>;
  /** Every datapoint id in the index: for reconciliation and tests (the local and memory indexes). */
  listDatapointIds(): Promise<string[]>;
  close(): Promise<void>;
}
