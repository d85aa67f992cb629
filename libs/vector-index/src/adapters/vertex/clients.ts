import aiplatform from '@google-cloud/aiplatform';
import { PassThroughAuthClient, type ApiEndpoint } from './endpoint.ts';

const { IndexServiceClient, IndexEndpointServiceClient, MatchServiceClient } = aiplatform.v1;

export type IndexClient = InstanceType<typeof IndexServiceClient>;
export type IndexEndpointClient = InstanceType<typeof IndexEndpointServiceClient>;
export type MatchClient = InstanceType<typeof MatchServiceClient>;
type ClientOptions = NonNullable<ConstructorParameters<typeof IndexServiceClient>[0]>;

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

export function createIndexClient(endpoint: ApiEndpoint, credentials: Credentials): IndexClient {
  return new IndexServiceClient(clientOptions(endpoint, credentials));
}

export function createIndexEndpointClient(endpoint: ApiEndpoint, credentials: Credentials): IndexEndpointClient {
  return new IndexEndpointServiceClient(clientOptions(endpoint, credentials));
}

export function createMatchClient(endpoint: ApiEndpoint, credentials: Credentials): MatchClient {
  return new MatchServiceClient(clientOptions(endpoint, credentials));
}
