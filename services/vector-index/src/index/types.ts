/**
 * The server's own model of Vertex AI Vector Search datapoints and queries (the REST shapes, parsed and
 * validated by routes/wire.ts). Independent of the VectorIndex port: the server answers any Vertex
 * client, including deny lists and numeric restricts the platform's contract does not use.
 */

/** A token restrict: the datapoint's (or the query's) allowed and denied tokens in one namespace. */
export interface TokenRestrict {
  namespace: string;
  allowList: string[];
  denyList: string[];
}

/** A numeric value with Vertex's type: `valueInt` (int64), `valueFloat` (float32) or `valueDouble`. */
export type NumericValue = { type: 'int'; value: bigint } | { type: 'float' | 'double'; value: number };

/** A datapoint's numeric attribute. */
export interface NumericRestrict {
  namespace: string;
  value: NumericValue;
}

export const NUMERIC_OPERATORS = ['LESS', 'LESS_EQUAL', 'EQUAL', 'GREATER_EQUAL', 'GREATER', 'NOT_EQUAL'] as const;
export type NumericOperator = (typeof NUMERIC_OPERATORS)[number];

/** A query's numeric filter: a datapoint passes when its value in `namespace` `op` this value. */
export interface NumericFilter extends NumericRestrict {
  op: NumericOperator;
}

/** A datapoint as the server stores it: the vector in float32, as Vertex keeps it. */
export interface StoredDatapoint {
  id: string;
  vector: Float32Array;
  restricts: TokenRestrict[];
  numericRestricts: NumericRestrict[];
  /** `crowdingTag.crowdingAttribute`; '' when the datapoint has none. */
  crowdingTag: string;
}

/** A datapoint to upsert: the vector as received (number[]), before it is stored. */
export interface IncomingDatapoint extends Omit<StoredDatapoint, 'vector'> {
  vector: number[];
}

/** One findNeighbors query. */
export interface NeighborSearch {
  vector: number[];
  neighborCount: number;
  restricts: TokenRestrict[];
  numericRestricts: NumericFilter[];
  /** Most neighbours sharing one crowding tag; 0 = no limit. */
  perCrowdingAttributeNeighborCount: number;
}

/** One neighbour: Vertex's cosine distance, 1 - cos, in [0, 2]. */
export interface Found {
  id: string;
  distance: number;
}
