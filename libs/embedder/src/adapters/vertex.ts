import { EmbedderError } from '../errors.ts';
import type { Embedder } from '../types.ts';
import { PassThroughAuthClient, isTransient, predictionEndpoint, retryDelayMs, type PredictionEndpoint } from './vertex/transport.ts';

type Aiplatform = typeof import('@google-cloud/aiplatform');
type PredictionClient = InstanceType<Aiplatform['v1']['PredictionServiceClient']>;
type ClientOptions = NonNullable<ConstructorParameters<Aiplatform['v1']['PredictionServiceClient']>[0]>;
type ProtobufValue = Parameters<Aiplatform['helpers']['fromValue']>[0];

/** How a predict call is retried on 429, 5xx and network failures. */
export interface EmbedderRetryPolicy {
  maxAttempts: number;
  initialBackoffMs: number;
  backoffMultiplier: number;
  maxBackoffMs: number;
}

/** Every default of the Vertex embedder, in one place (docs/contracts.md, "The RAG database"). */
export const VERTEX_EMBEDDER_DEFAULTS = {
  model: 'gemini-embedding-001',
  /** Chunks and facts are documents to retrieve. */
  taskType: 'RETRIEVAL_DOCUMENT',
  /** Predict requests in flight: gemini-embedding-001 takes one text per request. */
  concurrency: 4,
  /** Attempts per text on 429/5xx/transport failures, with exponential backoff honouring RetryInfo. */
  retry: { maxAttempts: 5, initialBackoffMs: 500, backoffMultiplier: 2, maxBackoffMs: 16_000 } as EmbedderRetryPolicy,
  requestTimeoutMs: 60_000,
} as const;

export interface VertexEmbedderOptions {
  /** VERTEX_PROJECT and VERTEX_REGION: where the model is called. */
  project: string;
  region: string;
  /** Output length (outputDimensionality); the contract's is 1536. */
  dimensions: number;
  /** A host or URL instead of `{region}-aiplatform.googleapis.com` (VERTEX_API_ENDPOINT). */
  apiEndpoint?: string;
  /** `adc` (default): Application Default Credentials; `none`: no credentials, for a local stand-in. */
  credentials?: 'adc' | 'none';
  concurrency?: number;
  retry?: Partial<EmbedderRetryPolicy>;
}

/**
 * The Embedder port on Vertex AI's `gemini-embedding-001` (docs/contracts.md, "The RAG database"): one predict call
 * per text on `projects/{p}/locations/{r}/publishers/google/models/gemini-embedding-001`, with
 * `instances: [{content, task_type: RETRIEVAL_DOCUMENT}]` and `parameters: {outputDimensionality}`,
 * a few in flight. Vertex normalises only full-length (3072) embeddings, so each vector is scaled to
 * unit length here, as the port promises. Failures are EmbedderErrors: retryable after the retries
 * for 429/5xx and network failures are spent, not retryable for a refusal or a malformed answer.
 */
export function createVertexEmbedder(options: VertexEmbedderOptions): Embedder {
  if (!Number.isInteger(options.dimensions) || options.dimensions <= 0) {
    throw new EmbedderError('EMBEDDER_INVALID_CONFIG', `dimensions must be a positive integer, got ${options.dimensions}`, false);
  }
  if (!options.project || !options.region) {
    throw new EmbedderError('EMBEDDER_INVALID_CONFIG', 'the Vertex embedder needs a project and a region (VERTEX_PROJECT, VERTEX_REGION)', false);
  }
  const endpoint = predictionEndpoint(options.region, options.apiEndpoint);
  // The client library is loaded on the first embed, so the local embedder never loads it.
  let loaded: Promise<{ aiplatform: Aiplatform; client: PredictionClient }> | undefined;
  const load = () => (loaded ??= connect(endpoint, options.credentials ?? 'adc'));
  const model = VERTEX_EMBEDDER_DEFAULTS.model;
  const modelName = `projects/${options.project}/locations/${options.region}/publishers/google/models/${model}`;
  const retry = { ...VERTEX_EMBEDDER_DEFAULTS.retry, ...options.retry };

  const embedOne = async (text: string): Promise<number[]> => {
    const { aiplatform, client } = await load();
    const request = {
      endpoint: modelName,
      instances: [aiplatform.helpers.toValue({ content: text, task_type: VERTEX_EMBEDDER_DEFAULTS.taskType })!],
      parameters: aiplatform.helpers.toValue({ outputDimensionality: options.dimensions })!,
    };
    const [response] = await withRetry(retry, () => client.predict(request, { timeout: VERTEX_EMBEDDER_DEFAULTS.requestTimeoutMs }));
    const [prediction] = response.predictions ?? [];
    const decoded = prediction ? (aiplatform.helpers.fromValue(prediction as ProtobufValue) as { embeddings?: { values?: unknown } }) : undefined;
    const values = decoded?.embeddings?.values;
    return unitVector(values, options.dimensions);
  };

  return {
    dimensions: options.dimensions,
    model,
    embed: (texts) => mapConcurrently(texts, options.concurrency ?? VERTEX_EMBEDDER_DEFAULTS.concurrency, embedOne),
  };
}

/** The client library and a prediction client on `endpoint`, over REST (`fallback`), as the vector index's. */
async function connect(endpoint: PredictionEndpoint, credentials: 'adc' | 'none') {
  const aiplatform = await import('@google-cloud/aiplatform');
  const options: ClientOptions = { apiEndpoint: endpoint.host, port: endpoint.port, protocol: endpoint.protocol, fallback: true };
  if (credentials === 'none') options.authClient = new PassThroughAuthClient() as unknown as ClientOptions['authClient'];
  return { aiplatform, client: new aiplatform.v1.PredictionServiceClient(options) };
}

/** `values` checked (the configured length, finite) and scaled to unit L2 norm. */
function unitVector(values: unknown, dimensions: number): number[] {
  if (!Array.isArray(values) || values.length !== dimensions || !values.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    const got = Array.isArray(values) ? `${values.length} values` : 'no values';
    throw new EmbedderError('EMBEDDER_FAILED', `Vertex returned ${got}, expected ${dimensions} finite numbers`, false);
  }
  const norm = Math.sqrt(values.reduce((sum: number, v: number) => sum + v * v, 0));
  if (norm === 0) throw new EmbedderError('EMBEDDER_FAILED', 'Vertex returned a zero vector', false);
  return values.map((v: number) => v / norm);
}

async function withRetry<T>(policy: EmbedderRetryPolicy, call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!isTransient(error))
        throw new EmbedderError('EMBEDDER_FAILED', `Vertex refused the embedding request: ${message}`, false, { cause: error });
      if (attempt >= policy.maxAttempts) {
        throw new EmbedderError('EMBEDDER_FAILED', `embedding failed after ${attempt} attempts: ${message}`, true, { cause: error });
      }
      const computed = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * policy.backoffMultiplier ** (attempt - 1));
      const wait = Math.max(computed / 2 + Math.random() * (computed / 2), retryDelayMs(error) ?? 0);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/** `work` over `items` with at most `limit` in flight; results in the items' order. */
async function mapConcurrently<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
