import { createTokenService } from '@mobius/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSUMERS, createPipeline, type Pipeline } from './support/pipeline.ts';
import { expectConverged, markdown, publishDocument, ragApi } from './support/pipeline-checks.ts';
import { waitFor, type ServiceProcess } from './support/processes.ts';

// Search end to end: rag, the consumers, the local vector index server and chat, each its own process.
// vertex-sync writes the index through the Vertex adapter; chat queries the same server.

const SECRET = 'e2e-search-secret';
let pipeline: Pipeline;
let rag: ServiceProcess;
let vertexSync: ServiceProcess;
let chat: ServiceProcess;
const token = createTokenService({ secret: SECRET }).mintAccessToken({
  userId: '11111111-1111-1111-1111-111111111111',
  tenantId: '00000000-0000-0000-0000-000000000001',
});
const documents: Record<string, string> = {};

interface Hit {
  id: string;
  document_id: string;
  score: number;
  text: string;
  document_payer: string;
}

async function search(body: unknown): Promise<Hit[]> {
  const response = await fetch(`${chat.url}/v1/search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  if (response.status !== 200) throw new Error(`search answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { results: Hit[] }).results;
}

beforeAll(async () => {
  pipeline = await createPipeline('search', { JWT_SECRET: SECRET }, { vectorIndex: 'local' });
  const started = await Promise.all([pipeline.start('rag'), ...CONSUMERS.map((name) => pipeline.start(name)), pipeline.start('chat')]);
  rag = started[0]!;
  vertexSync = started.find((s) => s.name === 'vertex-sync')!;
  chat = started.find((s) => s.name === 'chat')!;
}, 120_000);

afterAll(() => pipeline?.destroy());

describe('search end to end', () => {
  it('finds a published paragraph, ranked first, with score in (0, 1]', async () => {
    documents.imaging = await publishDocument(
      rag,
      'imaging.md',
      'Advanced imaging such as MRI and CT scans requires prior authorization for Medicaid members.\n\n' +
        'Emergency department imaging is exempt from the authorization requirement entirely.',
      { payer: 'Sunshine Health', state: 'FL', program: 'Medicaid' },
    );
    documents.dental = await publishDocument(
      rag,
      'dental.md',
      'Dental cleanings are covered twice per year for enrolled children under the program.\n\n' +
        'Orthodontic treatment needs a documented medical necessity review before approval.',
      { payer: 'Molina', state: 'OH', program: 'Medicaid' },
    );
    documents.claims = await publishDocument(rag, 'claims.md', markdown('Claims', 6), { payer: 'Molina', state: 'OH' });
    await expectConverged(pipeline, vertexSync);
    const hits = (await waitFor('search to find the imaging paragraph', async () => {
      const results = await search({ query: 'MRI and CT scans requires prior authorization', k: 5 });
      return results[0]?.document_id === documents.imaging ? results : undefined;
    }))!;
    expect(hits[0]!.text).toContain('MRI and CT scans');
    expect(hits[0]!.score).toBeGreaterThan(0);
    expect(hits[0]!.score).toBeLessThanOrEqual(1);
    expect(hits.map((h) => h.score)).toEqual([...hits.map((h) => h.score)].sort((a, b) => b - a));
  });

  it('a payer filter never returns another payer’s chunks', async () => {
    for (const payer of ['Molina', 'Sunshine Health']) {
      const hits = await search({ query: 'prior authorization members treatment', k: 20, filters: { document_payer: payer } });
      expect(hits.length).toBeGreaterThan(0);
      expect(hits.every((h) => h.document_payer === payer)).toBe(true);
    }
    expect(await search({ query: 'anything', k: 5, filters: { document_payer: 'Nobody Health' } })).toEqual([]);
  });

  it('an unpublished document disappears from search', async () => {
    await ragApi(rag, 'POST', `/documents/${documents.imaging}/unpublish`, {});
    await expectConverged(pipeline, vertexSync);
    await waitFor('the unpublished document to leave search', async () => {
      const hits = await search({ query: 'MRI and CT scans requires prior authorization', k: 20 });
      return hits.every((h) => h.document_id !== documents.imaging);
    });
    const hits = await search({ query: 'MRI and CT scans requires prior authorization', k: 20 });
    expect(hits.some((h) => h.document_id === documents.imaging)).toBe(false);
    expect(hits.length).toBeGreaterThan(0);
  });

  it('refuses a search without a valid token', async () => {
    const response = await fetch(`${chat.url}/v1/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'x' }),
    });
    expect(response.status).toBe(401);
  });
});
