import type { protos } from '@google-cloud/aiplatform';
import type { Datapoint, Neighbor, NeighborQuery, Restrict } from '../../types.ts';

/** The JSON shapes of Vertex AI's REST API (proto3 JSON of these messages: the same field names). */
export type WireDatapoint = protos.google.cloud.aiplatform.v1.IIndexDatapoint;
type WireQuery = protos.google.cloud.aiplatform.v1.FindNeighborsRequest.IQuery;
export type WireNeighbors = protos.google.cloud.aiplatform.v1.IFindNeighborsResponse;

/**
 * The port's datapoint as Vertex's IndexDatapoint (docs/contracts.md, "The vector index"): id, feature vector, one
 * allow-list restrict per namespace, the crowding tag; no deny lists and no numeric restricts.
 */
export function toWireDatapoint(datapoint: Datapoint): WireDatapoint {
  return {
    datapointId: datapoint.datapointId,
    featureVector: datapoint.featureVector,
    restricts: datapoint.restricts.map((r) => ({ namespace: r.namespace, allowList: [...r.allowList] })),
    crowdingTag: { crowdingAttribute: datapoint.crowdingTag.crowdingAttribute },
  };
}

/**
 * An IndexDatapoint read back, as the port's datapoint. The client fills absent fields with defaults
 * (an empty deny list, a null crowding tag, which the server omits for ''); only what the port holds
 * is kept.
 */
export function fromWireDatapoint(wire: WireDatapoint): Datapoint {
  return {
    datapointId: wire.datapointId ?? '',
    featureVector: (wire.featureVector ?? []).map(Number),
    restricts: (wire.restricts ?? []).map((r) => ({ namespace: r.namespace ?? '', allowList: [...(r.allowList ?? [])] }) as Restrict),
    crowdingTag: { crowdingAttribute: wire.crowdingTag?.crowdingAttribute ?? '' },
  };
}

/** One findNeighbors query: the vector, the allow-list restricts, the count and the crowding limit. */
export function toWireQuery(query: NeighborQuery): WireQuery {
  return {
    datapoint: {
      datapointId: '',
      featureVector: query.featureVector,
      restricts: (query.restricts ?? []).map((r) => ({ namespace: r.namespace, allowList: [...r.allowList] })),
    },
    neighborCount: query.neighborCount,
    ...(query.perCrowdingAttributeNeighborCount ? { perCrowdingAttributeNeighborCount: query.perCrowdingAttributeNeighborCount } : {}),
  };
}

/** The neighbours of the (single) query, nearest first and ties by id, as the memory index orders them. */
export function fromWireNeighbors(response: WireNeighbors): Neighbor[] {
  const neighbors = (response.nearestNeighbors?.[0]?.neighbors ?? []).map((n) => ({
    datapointId: n.datapoint?.datapointId ?? '',
    distance: Number(n.distance ?? 0),
  }));
  return neighbors.sort((a, b) => a.distance - b.distance || (a.datapointId < b.datapointId ? -1 : 1));
}
