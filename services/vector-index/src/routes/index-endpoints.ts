import type { FastifyInstance } from 'fastify';
import { notFound } from '../errors.ts';
import type { IndexRegistry } from '../index/registry.ts';
import { resourceId, splitVerb } from './google-errors.ts';
import { datapointJson, findNeighborsBody, readBody } from './wire.ts';

type EndpointParams = { Params: { project: string; location: string; target: string } };

/**
 * The match service on an index endpoint, as Vertex AI answers it. The endpoint serves the index
 * VERTEX_INDEX_ID names, on the endpoint VERTEX_INDEX_ENDPOINT_ID names (any other endpoint is
 * NOT_FOUND); any deployed index id is accepted.
 * - `POST /v1/projects/{p}/locations/{l}/indexEndpoints/{endpoint}:findNeighbors`
 *   `{deployedIndexId, queries: [{datapoint: {featureVector, restricts, numericRestricts}, neighborCount,
 *   perCrowdingAttributeNeighborCount}], returnFullDatapoint}` -> `{nearestNeighbors: [{id, neighbors:
 *   [{datapoint: {datapointId, crowdingTag} | IndexDatapoint, distance}]}]}`, one entry per query;
 * - `POST .../indexEndpoints/{endpoint}:readIndexDatapoints` `{deployedIndexId, ids}` -> `{datapoints}`
 *   (unknown ids are absent);
 * - `GET .../indexEndpoints/{endpoint}` -> the IndexEndpoint (no public domain: query it right here).
 */
export function registerIndexEndpointRoutes(app: FastifyInstance, registry: IndexRegistry): void {
  app.post<EndpointParams>('/v1/projects/:project/locations/:location/indexEndpoints/:target', async (request) => {
    const { id, verb } = splitVerb(request.params.target);
    const endpointId = resourceId(id, 'index endpoint');
    switch (verb) {
      case 'findNeighbors': {
        const { queries, returnFullDatapoint } = findNeighborsBody(request.body);
        const nearestNeighbors = queries.map((query) => {
          const found = registry.search(endpointId, query);
          const points = returnFullDatapoint
            ? new Map(
                registry
                  .read(
                    endpointId,
                    found.map((f) => f.id),
                  )
                  .map((d) => [d.id, d]),
              )
            : undefined;
          const neighbors = found.map(({ id: datapointId, distance }) => ({
            datapoint: points ? datapointJson(points.get(datapointId)!) : { datapointId },
            distance,
          }));
          return { id: query.id, neighbors };
        });
        return { nearestNeighbors };
      }
      case 'readIndexDatapoints':
        return { datapoints: registry.read(endpointId, readBody(request.body)).map(datapointJson) };
      default:
        throw notFound(`index endpoints have no method ${JSON.stringify(verb)} here (findNeighbors, readIndexDatapoints)`);
    }
  });

  app.get<EndpointParams>('/v1/projects/:project/locations/:location/indexEndpoints/:target', async (request) => {
    const { project, location, target } = request.params;
    const endpointId = resourceId(target, 'index endpoint');
    const indexId = registry.endpointIndexId(endpointId);
    return {
      name: `projects/${project}/locations/${location}/indexEndpoints/${endpointId}`,
      displayName: endpointId,
      deployedIndexes: [{ index: `projects/${project}/locations/${location}/indexes/${indexId}` }],
      publicEndpointEnabled: false,
    };
  });
}
