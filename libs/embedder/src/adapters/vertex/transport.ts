/**
 * Where the Vertex prediction API is and how the embedder reaches it. Kept apart from vertex.ts so the
 * parsing is testable without loading the aiplatform client.
 */
export interface PredictionEndpoint {
  protocol: 'http' | 'https';
  host: string;
  port: number;
}

/**
 * `https://{region}-aiplatform.googleapis.com`, or `apiEndpoint`: a URL (`http://127.0.0.1:9000`) or a
 * bare host (`us-central1-aiplatform.googleapis.com`, meaning https).
 */
export function predictionEndpoint(region: string, apiEndpoint?: string): PredictionEndpoint {
  if (!apiEndpoint) return { protocol: 'https', host: `${region}-aiplatform.googleapis.com`, port: 443 };
  const url = new URL(/^[a-z]+:\/\//i.test(apiEndpoint) ? apiEndpoint : `https://${apiEndpoint}`);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return { protocol, host: url.hostname, port: url.port ? Number(url.port) : protocol === 'http' ? 80 : 443 };
}

/**
 * The auth client used without credentials (a local stand-in for Vertex): no header, the platform's
 * fetch. These two methods are all google-gax's REST transport calls on an auth client.
 */
export class PassThroughAuthClient {
  async getRequestHeaders(): Promise<Headers> {
    return new Headers();
  }

  fetch(url: string | URL, init?: RequestInit): Promise<Response> {
    return fetch(url, init);
  }
}

/** gRPC statuses a retry can cure (429, 409/aborted, 5xx, deadline); google-gax maps HTTP onto them. */
const RETRYABLE_STATUS = new Set([2, 4, 8, 10, 13, 14]);

/** True for a transient failure: a retryable status, or no Google answer at all (network, proxy). */
export function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code !== 'number' || RETRYABLE_STATUS.has(code);
}

/** The `google.rpc.RetryInfo` delay of a Google error (as google-gax decodes it), in ms. */
export function retryDelayMs(error: unknown): number | undefined {
  const details = (error as { statusDetails?: unknown } | null)?.statusDetails;
  if (!Array.isArray(details)) return undefined;
  for (const detail of details) {
    const delay = (detail as { retryDelay?: { seconds?: unknown; nanos?: unknown } } | null)?.retryDelay;
    if (delay) return Number(delay.seconds ?? 0) * 1000 + Number(delay.nanos ?? 0) / 1e6;
  }
  return undefined;
}
