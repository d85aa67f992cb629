import type { FastifyInstance } from 'fastify';
import type { IndexRegistry } from '../index/registry.ts';
import { resourceId } from './google-errors.ts';

type IndexParams = { Params: { project: string; location: string; indexId: string } };

/**
 * Calls Vertex AI does not have, under `/mobius/v1/` so nobody mistakes them for Vertex's:
 * - `GET /mobius/v1/projects/{p}/locations/{l}/indexes/{index}/datapointIds` -> `{datapointIds}` sorted
 *   (the VectorIndex port's listDatapointIds, for reconciliation and tests). An index never written
 *   has none.
 * - `GET /mobius/v1/projects/{p}/locations/{l}/indexes/{index}/datapointCount` -> `{datapointCount}`: how
 *   many datapoints the index holds, without listing them (progress polling, the pipeline benchmark).
 */
export function registerLocalExtensionRoutes(app: FastifyInstance, registry: IndexRegistry): void {
  app.get<IndexParams>('/mobius/v1/projects/:project/locations/:location/indexes/:indexId/datapointIds', async (request) => ({
    datapointIds: registry.ids(resourceId(request.params.indexId, 'index')),
  }));
  app.get<IndexParams>('/mobius/v1/projects/:project/locations/:location/indexes/:indexId/datapointCount', async (request) => ({
    datapointCount: registry.count(resourceId(request.params.indexId, 'index')),
  }));
}
