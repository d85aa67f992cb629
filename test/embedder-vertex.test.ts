// The Vertex embedder's requests, checked on the wire: the real aiplatform client (REST transport)
// talks to a recording stand-in for Vertex's predict endpoint, which answers in Vertex's format. What
// is asserted is what Vertex would receive (docs/contracts.md, "The RAG database": gemini-embedding-001,
// RETRIEVAL_DOCUMENT, 1536 dimensions) and what the embedder makes of the answers.
import { createServer, type Server } from 'node:http';
import { createEmbedder, type Embedder } from '@mobius/embedder';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

interface Recorded {
  path: string;
  body: { instances: { content: string; task_type: string }[]; parameters: { outputDimensionality: number }; labels?: unknown };
  at: number;
}

const recorded: Recorded[] = [];
const faults: { status: number; body: unknown }[] = [];
let standIn: Server;
let url: string;

/** Vertex's answer: an embedding of the asked length, deliberately not unit length (as Vertex's below 3072). */
function prediction(content: string, dimensions: number) {
  const values = Array.from({ length: dimensions }, (_, i) => ((content.charCodeAt(i % Math.max(content.length, 1)) || 7) % 13) - 6 + i / dimensions);
  return { predictions: [{ embeddings: { values, statistics: { truncated: false, token_count: content.length } } }], deployedModelId: '' };
}

beforeAll(async () => {
  standIn = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => (text += chunk));
    request.on('end', () => {
      const body = JSON.parse(text) as Recorded['body'];
      recorded.push({ path: request.url!.split('?')[0]!, body, at: Date.now() });
      const fault = faults.shift();
      response.writeHead(fault?.status ?? 200, { 'content-type': 'application/json' });
      const [instance] = body.instances;
      response.end(JSON.stringify(fault?.body ?? prediction(instance!.content, body.parameters.outputDimensionality)));
    });
  });
  await new Promise<void>((resolve) => standIn.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(standIn.address() as { port: number }).port}`;
});

afterAll(() => new Promise<void>((resolve) => standIn.close(() => resolve())));

beforeEach(() => {
  recorded.length = 0;
  faults.length = 0;
});

const vertex = (dimensions = 1536, retry = { initialBackoffMs: 5, maxBackoffMs: 20 }): Embedder =>
  createEmbedder({
    provider: 'vertex',
    dimensions,
    vertex: { project: 'mobius-prod', region: 'us-central1', apiEndpoint: url, credentials: 'none', retry },
  });

const norm = (v: number[]) => Math.sqrt(v.reduce((sum, x) => sum + x * x, 0));

describe('the Vertex embedder', () => {
  it('sends one predict request per text to gemini-embedding-001 with RETRIEVAL_DOCUMENT and 1536 dimensions', async () => {
    const embedder = vertex();
    expect({ model: embedder.model, dimensions: embedder.dimensions }).toEqual({ model: 'gemini-embedding-001', dimensions: 1536 });
    const texts = ['Summary.\nPrior authorization is required.', 'Claims are paid in 30 days.', ''];
    const vectors = await embedder.embed(texts);
    expect(recorded.map((r) => r.path)).toEqual(
      texts.map(() => '/v1/projects/mobius-prod/locations/us-central1/publishers/google/models/gemini-embedding-001:predict'),
    );
    expect(recorded.map((r) => r.body).sort((a, b) => a.instances[0]!.content.localeCompare(b.instances[0]!.content))).toEqual(
      // (`labels: {}` is the client library's encoding of the request's empty labels map.)
      [...texts]
        .sort()
        .map((content) => ({ instances: [{ content, task_type: 'RETRIEVAL_DOCUMENT' }], parameters: { outputDimensionality: 1536 }, labels: {} })),
    );
    // One vector per text, in the order given, scaled to unit length.
    expect(vectors).toHaveLength(3);
    vectors.forEach((vector, i) => {
      expect(vector).toHaveLength(1536);
      expect(norm(vector)).toBeCloseTo(1, 12);
      const raw = prediction(texts[i]!, 1536).predictions[0]!.embeddings.values;
      expect(vector[5]! / vector[9]!).toBeCloseTo(raw[5]! / raw[9]!, 9);
    });
  });

  it('asks for the configured dimension, and refuses an answer of another length as not retryable', async () => {
    expect((await vertex(768).embed(['short']))[0]).toHaveLength(768);
    expect(recorded[0]!.body.parameters).toEqual({ outputDimensionality: 768 });
    faults.push({ status: 200, body: prediction('x', 3) });
    await expect(vertex(768).embed(['x'])).rejects.toMatchObject({ name: 'EmbedderError', code: 'EMBEDDER_FAILED', retryable: false });
  });

  it('retries a 429 no sooner than its RetryInfo asks; a 400 fails at once, not retryable', async () => {
    const retryInfo = { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '0.300s' };
    faults.push({ status: 429, body: { error: { code: 429, message: 'quota', status: 'RESOURCE_EXHAUSTED', details: [retryInfo] } } });
    const [vector] = await vertex().embed(['quota test']);
    expect(vector).toHaveLength(1536);
    expect(recorded).toHaveLength(2);
    expect(recorded[1]!.at - recorded[0]!.at).toBeGreaterThanOrEqual(300);

    recorded.length = 0;
    faults.push({ status: 400, body: { error: { code: 400, message: 'input too long', status: 'INVALID_ARGUMENT' } } });
    await expect(vertex().embed(['too long'])).rejects.toMatchObject({ code: 'EMBEDDER_FAILED', retryable: false });
    expect(recorded).toHaveLength(1);
  });

  it('gives up after its attempts on 503 with a retryable error', async () => {
    for (let i = 0; i < 5; i++) faults.push({ status: 503, body: { error: { code: 503, message: 'busy', status: 'UNAVAILABLE' } } });
    await expect(vertex().embed(['busy'])).rejects.toMatchObject({ code: 'EMBEDDER_FAILED', retryable: true });
    expect(recorded).toHaveLength(5);
  });

  it('refuses a missing project or region, and a bad dimension, before any request', () => {
    const invalid =
      (vertexOptions: { project: string; region: string }, dimensions = 1536) =>
      () =>
        createEmbedder({ provider: 'vertex', dimensions, vertex: vertexOptions });
    expect(invalid({ project: '', region: 'us-central1' })).toThrow(expect.objectContaining({ code: 'EMBEDDER_INVALID_CONFIG', retryable: false }));
    expect(invalid({ project: 'p', region: 'us-central1' }, 0)).toThrow(expect.objectContaining({ code: 'EMBEDDER_INVALID_CONFIG' }));
    expect(recorded).toEqual([]);
  });
});
