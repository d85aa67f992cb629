import { BigQuery, type BigQueryOptions } from '@google-cloud/bigquery';

/** How to reach BigQuery. */
export interface BigQueryClientOptions {
  projectId: string;
  /** Location of datasets and jobs (`BQ_LOCATION`); BigQuery's default when absent. */
  location?: string;
  /**
   * An endpoint override (`BQ_API_ENDPOINT`, e.g. `http://127.0.0.1:9050` for a test double or an
   * emulator). Requests to it carry NO credentials; without it the client uses Application Default
   * Credentials against Google's endpoint.
   */
  apiEndpoint?: string;
  /** Retries of a failed HTTP request (5xx, 429, network) by the client itself. */
  apiRetries: number;
}

/**
 * An auth client that adds no headers. The client library authenticates every request, also to an
 * endpoint override, and looking for ADC there would either fail slowly (the metadata server probe)
 * or, worse, send real credentials to a local server. Only `getRequestHeaders` is ever called.
 */
class NoCredentials {
  async getRequestHeaders(): Promise<Headers> {
    return new Headers();
  }
}

/** The BigQuery client of one warehouse instance. Makes no request until used. */
export function createBigQueryClient(options: BigQueryClientOptions): BigQuery {
  const clientOptions: BigQueryOptions = {
    projectId: options.projectId,
    retryOptions: { autoRetry: options.apiRetries > 0, maxRetries: options.apiRetries },
  };
  if (options.location) clientOptions.location = options.location;
  if (options.apiEndpoint) {
    clientOptions.apiEndpoint = options.apiEndpoint;
    // The option is typed as google-auth-library's AuthClient, which this package does not depend on.
    clientOptions.authClient = new NoCredentials() as unknown as BigQueryOptions['authClient'];
  }
  return new BigQuery(clientOptions);
}
