import type { FastifyInstance } from 'fastify';
import { notFound } from '../errors.ts';
import type { IndexRegistry } from '../index/registry.ts';
import { resourceId, splitVerb } from './google-errors.ts';
import { removeBody, upsertBody } from './wire.ts';

type IndexParams = { Params: { project: string; location: string; target: string } };

/**
 * The index service's streaming-update methods, as Vertex AI answers them:
 * - `POST /v1/projects/{p}/locations/{l}/indexes/{index}:upsertDatapoints` `{datapoints: [IndexDatapoint]}`
 *   -> `{}`: inserts or replaces each datapoint; the whole request is validated first, so a bad
 *   datapoint writes nothing; an index other than VERTEX_INDEX_ID is NOT_FOUND (never a new index);
 * - `POST .../indexes/{index}:removeDatapoints` `{datapointIds: [...]}` -> `{}`: unknown ids are ignored.
 */
export function registerIndexRoutes(app: FastifyInstance, registry: IndexRegistry): void {
  app.post<IndexParams>('/v1/projects/:project/locations/:location/indexes/:target', async (request) => {
    const { id, verb } = splitVerb(request.params.target);
    const indexId = resourceId(id, 'index');
    switch (verb) {
      case 'upsertDatapoints':
        await registry.upsert(indexId, upsertBody(request.body));
        return {};
      case 'removeDatapoints':
        await registry.remove(indexId, removeBody(request.body));
        return {};
      default:
        throw notFound(`indexes have no method ${JSON.stringify(verb)} here (upsertDatapoints, removeDatapoints)`);
    }
  });
}
