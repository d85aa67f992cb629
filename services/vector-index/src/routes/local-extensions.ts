import type { FastifyInstance } from 'fastify';
import type { IndexRegistry } from '../index/registry.ts';
import { invalidArgument } from '../errors.ts';
import { resourceId } from './google-errors.ts';
import { datapointIds } from './wire.ts';

type IndexParams = { Params: { project: string; location: string; indexId: string } };

/**
 * Calls Vertex AI does not have, under `/mobius/v1/` so nobody mistakes them for Vertex's:
 * - `GET /mobius/v1/projects/{p}/locations/{l}/indexes/{index}/datapointIds` -> `{datapointIds}` sorted
 *   (the VectorIndex port's listDatapointIds, for reconciliation and tests). An index never written
 *   has none; an index other than the served one (VERTEX_INDEX_ID) is NOT_FOUND, here as everywhere.
 * - `GET /mobius/v1/projects/{p}/locations/{l}/indexes/{index}/datapointCount` -> `{datapointCount}`: how
 *   many datapoints the index holds, without listing them (progress polling, the pipeline benchmark).
 * - `POST /mobius/v1/projects/{p}/locations/{l}/indexes/{index}/presentDatapointIds` `{datapointIds}` ->
 *   `{datapointIds}`: those of the given ids the index holds, without their vectors (visibility checks).
 */
export function registerLocalExtensionRoutes(app: FastifyInstance, registry: IndexRegistry): void {
  app.get<IndexParams>('/mobius/v1/projects/:project/locations/:location/indexes/:indexId/datapointIds', async (request) => ({
    datapointIds: registry.ids(resourceId(request.params.indexId, 'index')),
  }));
  app.get<IndexParams>('/mobius/v1/projects/:project/locations/:location/indexes/:indexId/datapointCount', async (request) => ({
    datapointCount: registry.count(resourceId(request.params.indexId, 'index')),
  }));
  app.post<IndexParams>('/mobius/v1/projects/:project/locations/:location/indexes/:indexId/presentDatapointIds', async (request) => {
    const given = (request.body as { datapointIds?: unknown } | undefined)?.datapointIds;
    if (!Array.isArray(given)) throw invalidArgument('datapointIds must be an array of datapoint ids');
    const ids = datapointIds(given, 'datapointIds');
    return { datapointIds: registry.present(resourceId(request.params.indexId, 'index'), ids) };
  });
}
