import { GRPC_STATUS } from './retry.ts';
import { endpointOrigin, type ApiEndpoint } from './endpoint.ts';

/** Status names of Google's JSON errors, as gRPC codes (the local server answers in that format). */
const STATUS_CODES: Record<string, number> = {
  INVALID_ARGUMENT: GRPC_STATUS.invalidArgument,
  UNAUTHENTICATED: GRPC_STATUS.unauthenticated,
  NOT_FOUND: GRPC_STATUS.notFound,
  RESOURCE_EXHAUSTED: GRPC_STATUS.resourceExhausted,
  INTERNAL: GRPC_STATUS.internal,
  UNAVAILABLE: GRPC_STATUS.unavailable,
};

/**
 * Every datapoint id of an index, from the local vector index server's extension route
 * `GET /mobius/v1/projects/{project}/locations/{region}/indexes/{indexId}/datapointIds` ->
 * `{datapointIds: [...]}` sorted. Vertex AI has no such call; the `/mobius/` prefix says so. A failed
 * answer throws an error with the gRPC `code` of its status, as google-gax errors carry, so the same
 * retry rules apply; an unreachable server throws fetch's error (no code: retried as transport failure).
 */
export async function listLocalDatapointIds(
  endpoint: ApiEndpoint,
  index: { project: string; region: string; indexId: string },
  headers: Record<string, string> = {},
): Promise<string[]> {
  const path = ['projects', index.project, 'locations', index.region, 'indexes', index.indexId].map(encodeURIComponent).join('/');
  const response = await fetch(`${endpointOrigin(endpoint)}/mobius/v1/${path}/datapointIds`, { headers });
  const body = (await response.json().catch(() => undefined)) as
    | { datapointIds?: string[]; error?: { status?: string; message?: string } }
    | undefined;
  if (response.ok && Array.isArray(body?.datapointIds)) return body.datapointIds;
  const status = body?.error?.status;
  const code = (status && STATUS_CODES[status]) ?? (response.status >= 500 ? GRPC_STATUS.internal : GRPC_STATUS.invalidArgument);
  throw Object.assign(new Error(`listDatapointIds answered ${response.status}: ${body?.error?.message ?? 'no error message'}`), { code });
}
