import { invalidArgument } from '../errors.ts';
import {
  NUMERIC_OPERATORS,
  type IncomingDatapoint,
  type NeighborSearch,
  type NumericFilter,
  type NumericOperator,
  type NumericRestrict,
  type NumericValue,
  type StoredDatapoint,
  type TokenRestrict,
} from '../index/types.ts';

/**
 * Vertex AI Vector Search's REST bodies (proto3 JSON, as google-gax's REST transport sends them:
 * lowerCamelCase fields, empty lists and zero values omitted, int64 as strings, enums as numbers or
 * names), parsed into the server's model. Anything malformed throws INVALID_ARGUMENT naming the field.
 */

type Json = Record<string, unknown>;

/** Neighbours returned when a query does not say how many (Vertex uses its service default). */
export const DEFAULT_NEIGHBOR_COUNT = 10;

function object(value: unknown, field: string): Json {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidArgument(`${field} must be an object`);
  return value as Json;
}

function list(value: unknown, field: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidArgument(`${field} must be a list`);
  return value;
}

function strings(value: unknown, field: string): string[] {
  return list(value, field).map((item, i) => {
    if (typeof item !== 'string') throw invalidArgument(`${field}[${i}] must be a string`);
    return item;
  });
}

function integer(value: unknown, field: string): number {
  if (value === undefined || value === null) return 0;
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw invalidArgument(`${field} must be a non-negative integer`);
  return n;
}

/**
 * A vector of finite numbers a float32 can hold (the index stores float32, as Vertex does): beyond
 * ±3.4e38 a value becomes an infinity, and every cosine score with it NaN or 1.
 */
export function featureVector(value: unknown, field: string): number[] {
  const vector = list(value, field);
  if (vector.length === 0) throw invalidArgument(`${field} is required`);
  vector.forEach((x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x)) throw invalidArgument(`${field}[${i}] is ${JSON.stringify(x)}, not a finite number`);
    if (!Number.isFinite(Math.fround(x))) throw invalidArgument(`${field}[${i}] is ${x}, beyond the range of a float32`);
  });
  return vector as number[];
}

/** Datapoint ids are lowercase hyphenated uuids (the chunk ids vertex-sync writes; the VectorIndex port's rule). */
const DATAPOINT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** `value` as a datapoint id; INVALID_ARGUMENT naming the field otherwise. */
export function datapointId(value: unknown, field: string): string {
  if (typeof value !== 'string' || !DATAPOINT_ID.test(value)) {
    throw invalidArgument(`${field} must be a lowercase hyphenated uuid, got ${JSON.stringify(value)?.slice(0, 64)}`);
  }
  return value;
}

/** A list of datapoint ids. */
export function datapointIds(value: unknown, field: string): string[] {
  return list(value, field).map((item, i) => datapointId(item, `${field}[${i}]`));
}

function tokenRestricts(value: unknown, field: string): TokenRestrict[] {
  return list(value, field).map((item, i) => {
    const r = object(item, `${field}[${i}]`);
    if (typeof r.namespace !== 'string') throw invalidArgument(`${field}[${i}].namespace must be a string`);
    return {
      namespace: r.namespace,
      allowList: strings(r.allowList, `${field}[${i}].allowList`),
      denyList: strings(r.denyList, `${field}[${i}].denyList`),
    };
  });
}

function numericValue(r: Json, field: string): NumericValue {
  const given = (['valueInt', 'valueFloat', 'valueDouble'] as const).filter((key) => r[key] !== undefined && r[key] !== null);
  if (given.length !== 1) throw invalidArgument(`${field} must have exactly one of valueInt, valueFloat, valueDouble`);
  const key = given[0]!;
  const raw = r[key];
  if (key === 'valueInt') {
    if ((typeof raw !== 'string' || !/^-?\d+$/.test(raw)) && !(typeof raw === 'number' && Number.isSafeInteger(raw))) {
      throw invalidArgument(`${field}.valueInt must be an integer`);
    }
    return { type: 'int', value: BigInt(raw as string | number) };
  }
  const n = typeof raw === 'string' ? Number(raw) : raw;
  if (typeof n !== 'number' || Number.isNaN(n)) throw invalidArgument(`${field}.${key} must be a number`);
  return key === 'valueFloat' ? { type: 'float', value: Math.fround(n) } : { type: 'double', value: n };
}

function numericRestrict(r: Json, field: string): NumericRestrict {
  if (typeof r.namespace !== 'string') throw invalidArgument(`${field}.namespace must be a string`);
  return { namespace: r.namespace, value: numericValue(r, field) };
}

function numericRestricts(value: unknown, field: string): NumericRestrict[] {
  return list(value, field).map((item, i) => numericRestrict(object(item, `${field}[${i}]`), `${field}[${i}]`));
}

/** A query's numeric filter: the operator is required (by number, 1 = LESS ... 6 = NOT_EQUAL, or name). */
function numericFilters(value: unknown, field: string): NumericFilter[] {
  return list(value, field).map((item, i) => {
    const r = object(item, `${field}[${i}]`);
    const op = typeof r.op === 'number' ? NUMERIC_OPERATORS[r.op - 1] : NUMERIC_OPERATORS.find((name) => name === r.op);
    if (!op) throw invalidArgument(`${field}[${i}].op must be one of ${NUMERIC_OPERATORS.join(', ')} in a query`);
    return { ...numericRestrict(r, `${field}[${i}]`), op: op as NumericOperator };
  });
}

/** The datapoints of an upsertDatapoints body. */
export function upsertBody(body: unknown): IncomingDatapoint[] {
  const request = object(body, 'body');
  if (request.updateMask !== undefined) throw invalidArgument('updateMask is not supported by the local vector index server');
  return list(request.datapoints, 'datapoints').map((item, i) => {
    const field = `datapoints[${i}]`;
    const d = object(item, field);
    const id = datapointId(d.datapointId, `${field}.datapointId`);
    if (d.sparseEmbedding !== undefined && d.sparseEmbedding !== null) {
      throw invalidArgument(`${field}.sparseEmbedding: sparse embeddings are not supported by the local vector index server`);
    }
    return {
      id,
      vector: featureVector(d.featureVector, `${field}.featureVector`),
      restricts: tokenRestricts(d.restricts, `${field}.restricts`),
      numericRestricts: numericRestricts(d.numericRestricts, `${field}.numericRestricts`),
      crowdingTag: String(object(d.crowdingTag, `${field}.crowdingTag`).crowdingAttribute ?? ''),
    };
  });
}

/** The ids of a removeDatapoints body. */
export function removeBody(body: unknown): string[] {
  return datapointIds(object(body, 'body').datapointIds, 'datapointIds');
}

/** A findNeighbors body: its queries (each answered on its own) and whether to return full datapoints. */
export function findNeighborsBody(body: unknown): { queries: (NeighborSearch & { id: string })[]; returnFullDatapoint: boolean } {
  const request = object(body, 'body');
  deployedIndexId(request);
  const queries = list(request.queries, 'queries').map((item, i) => {
    const field = `queries[${i}]`;
    const q = object(item, field);
    const point = object(q.datapoint, `${field}.datapoint`);
    const count = integer(q.neighborCount, `${field}.neighborCount`);
    return {
      id: typeof point.datapointId === 'string' ? point.datapointId : '',
      vector: featureVector(point.featureVector, `${field}.datapoint.featureVector`),
      neighborCount: count === 0 ? DEFAULT_NEIGHBOR_COUNT : count,
      restricts: tokenRestricts(point.restricts, `${field}.datapoint.restricts`),
      numericRestricts: numericFilters(point.numericRestricts, `${field}.datapoint.numericRestricts`),
      perCrowdingAttributeNeighborCount: integer(q.perCrowdingAttributeNeighborCount, `${field}.perCrowdingAttributeNeighborCount`),
    };
  });
  return { queries, returnFullDatapoint: request.returnFullDatapoint === true };
}

/** The ids of a readIndexDatapoints body. */
export function readBody(body: unknown): string[] {
  const request = object(body, 'body');
  deployedIndexId(request);
  return datapointIds(request.ids, 'ids');
}

function deployedIndexId(request: Json): string {
  if (typeof request.deployedIndexId !== 'string' || request.deployedIndexId === '') throw invalidArgument('deployedIndexId is required');
  return request.deployedIndexId;
}

/** A stored datapoint as an IndexDatapoint (empty lists and an empty crowding tag omitted, as proto3 JSON does). */
export function datapointJson(datapoint: StoredDatapoint): Json {
  const json: Json = { datapointId: datapoint.id, featureVector: Array.from(datapoint.vector) };
  if (datapoint.restricts.length > 0) {
    json.restricts = datapoint.restricts.map((r) => ({
      namespace: r.namespace,
      ...(r.allowList.length > 0 ? { allowList: r.allowList } : {}),
      ...(r.denyList.length > 0 ? { denyList: r.denyList } : {}),
    }));
  }
  if (datapoint.numericRestricts.length > 0) json.numericRestricts = datapoint.numericRestricts.map(numericJson);
  if (datapoint.crowdingTag !== '') json.crowdingTag = { crowdingAttribute: datapoint.crowdingTag };
  return json;
}

function numericJson({ namespace, value }: NumericRestrict): Json {
  if (value.type === 'int') return { namespace, valueInt: value.value.toString() };
  return { namespace, [value.type === 'float' ? 'valueFloat' : 'valueDouble']: value.value };
}
