import { InvalidArgumentError } from '../../errors.ts';

/**
 * `adc`: Application Default Credentials (Vertex AI); `none`: no credentials (a local server with
 * AUTH=none); `{serviceToken}`: the shared service token (MOBIUS_SERVICE_TOKEN) as a bearer, which the
 * local vector index server requires unless AUTH=none.
 */
export type Credentials = 'adc' | 'none' | { serviceToken: string };

/** The auth headers of a request to the local server with `credentials` (never ADC's). */
export function localServerHeaders(credentials: Credentials): Record<string, string> {
  return typeof credentials === 'object' ? { authorization: `Bearer ${credentials.serviceToken}` } : {};
}

/** Where a Vertex AI API (or the local vector index server that answers like it) listens. */
export interface ApiEndpoint {
  protocol: 'http' | 'https';
  host: string;
  port: number;
}

/** Vertex AI's regional endpoint, `https://{region}-aiplatform.googleapis.com`. */
export function regionalEndpoint(region: string): ApiEndpoint {
  return { protocol: 'https', host: `${region}-aiplatform.googleapis.com`, port: 443 };
}

/**
 * Parses `VERTEX_API_ENDPOINT` or `VECTOR_INDEX_URL`: a URL (`http://127.0.0.1:8015`,
 * `https://host:8443`) or a bare host with an optional port (`europe-west4-aiplatform.googleapis.com`),
 * which means https. Throws InvalidArgumentError for anything else (a path is not allowed: the
 * client builds `/v1/...` itself).
 */
export function parseApiEndpoint(value: string): ApiEndpoint {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new InvalidArgumentError(`API endpoint ${JSON.stringify(value)} is not a URL or host name`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError(`API endpoint ${JSON.stringify(value)} must use http or https`);
  }
  if (url.pathname !== '/' || url.search || url.hash) {
    throw new InvalidArgumentError(`API endpoint ${JSON.stringify(value)} must not have a path, query or fragment`);
  }
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  const port = url.port ? Number(url.port) : protocol === 'http' ? 80 : 443;
  // URL keeps IPv6 hosts in brackets; the client wants the bare address.
  return { protocol, host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port };
}

/** `protocol://host:port`, for the local server's extension routes. */
export function endpointOrigin(endpoint: ApiEndpoint): string {
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  return `${endpoint.protocol}://${host}:${endpoint.port}`;
}
