// The two v1 clients this adapter uses for queries and reads (upserts and removes go over plain REST,
// vertex/rest-index-calls.ts), each from its own file: the package's entry loads every
// client of v1 and v1beta1 and its 16 MB static protobuf module, which costs a service ~0.6 s of CPU
// and ~55 MB at start for nothing (measured with bench/cold-start.ts).
import indexEndpointService from '@google-cloud/aiplatform/build/src/v1/index_endpoint_service_client.js';
import matchService from '@google-cloud/aiplatform/build/src/v1/match_service_client.js';
import { PassThroughAuthClient, type ApiEndpoint } from './endpoint.ts';

const { IndexEndpointServiceClient } = indexEndpointService;
const { MatchServiceClient } = matchService;

export type IndexEndpointClient = InstanceType<typeof IndexEndpointServiceClient>;
export type MatchClient = InstanceType<typeof MatchServiceClient>;
type ClientOptions = NonNullable<ConstructorParameters<typeof MatchServiceClient>[0]>;

/** `adc`: Application Default Credentials (Vertex AI); `none`: no credentials (the local server). */
export type Credentials = 'adc' | 'none';

/**
 * Options for an aiplatform client on `endpoint`: always the REST transport (`fallback: true`), so the
 * same requests reach Vertex AI and the local vector index server, which answers only REST; with no
 * credentials a pass-through auth client, so nothing looks for Application Default Credentials.
 */
export function clientOptions(endpoint: ApiEndpoint, credentials: Credentials): ClientOptions {
  const options: ClientOptions = {
    apiEndpoint: endpoint.host,
    port: endpoint.port,
    protocol: endpoint.protocol,
    fallback: true,
  };
  if (credentials === 'none') options.authClient = new PassThroughAuthClient() as unknown as ClientOptions['authClient'];
  return options;
}

export function createIndexEndpointClient(endpoint: ApiEndpoint, credentials: Credentials): IndexEndpointClient {
  return new IndexEndpointServiceClient(clientOptions(endpoint, credentials));
}

export function createMatchClient(endpoint: ApiEndpoint, credentials: Credentials): MatchClient {
  return new MatchServiceClient(clientOptions(endpoint, credentials));
}
