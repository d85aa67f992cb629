import { expect } from 'vitest';
import { chatPublishedRows, ragPublishedRows, type Pipeline } from './pipeline.ts';
import type { ServiceProcess } from './processes.ts';
import { waitFor } from './processes.ts';
import { SERVICE_AUTH_HEADER } from './service-token.ts';

/** Calls the rag API with the run's service token; throws with the answer when the status is not the expected one. */
export async function ragApi(rag: ServiceProcess, method: string, path: string, body?: unknown, expected = [200, 201]) {
  const response = await fetch(`${rag.url}${path}`, {
    method,
    headers: { ...SERVICE_AUTH_HEADER, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!expected.includes(response.status)) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** Uploads and publishes one markdown document; returns its id. */
export async function publishDocument(rag: ServiceProcess, filename: string, text: string, meta: Record<string, string> = {}) {
  const { document_id: id } = await ragApi(rag, 'POST', '/documents', { filename, display_name: filename, text, ...meta });
  await ragApi(rag, 'POST', `/documents/${id}/publish`, { published_by: 'e2e@mobius' });
  return id as string;
}

/** `paragraphs` distinct paragraphs under a few `## ` headings. */
export function markdown(title: string, paragraphs: number, variant = ''): string {
  const lines = [`# ${title}`];
  for (let i = 0; i < paragraphs; i++) {
    if (i % 5 === 0) lines.push(`## Section ${Math.floor(i / 5) + 1}`);
    lines.push(`${title} paragraph ${i}${variant}: members must obtain prior authorization before service ${i}.`);
  }
  return lines.join('\n\n');
}

/** The ids and datapoints the vertex-sync process's index holds. */
export async function indexState(vertexSync: ServiceProcess) {
  const { ids } = (await (await fetch(`${vertexSync.url}/index/datapoints`, { headers: SERVICE_AUTH_HEADER })).json()) as { ids: string[] };
  return ids;
}

async function readDatapoints(vertexSync: ServiceProcess, ids: string[]) {
  const response = await fetch(`${vertexSync.url}/index/datapoints:read`, {
    method: 'POST',
    headers: { ...SERVICE_AUTH_HEADER, 'content-type': 'application/json' },
    body: JSON.stringify({ ids }),
  });
  return ((await response.json()) as { datapoints: { datapointId: string; restricts: unknown[]; crowdingTag: unknown }[] }).datapoints;
}

/** True when Chat's rows equal RAG's in all 28 columns and the index holds exactly RAG's ids. */
export async function inSync(pipeline: Pipeline, vertexSync: ServiceProcess): Promise<boolean> {
  const [rag, chat, ids] = await Promise.all([
    ragPublishedRows(pipeline.dbs.names.rag),
    chatPublishedRows(pipeline.dbs.names.chat),
    indexState(vertexSync),
  ]);
  if (JSON.stringify(rag) !== JSON.stringify(chat)) return false;
  return JSON.stringify(rag.map((r) => r.id)) === JSON.stringify(ids);
}

/**
 * Waits until Chat and the index match RAG, then asserts it column by column (so a failure shows the
 * difference) and checks the datapoints' restricts and crowding tags against RAG's rows.
 */
export async function expectConverged(pipeline: Pipeline, vertexSync: ServiceProcess, timeoutMs = 30_000) {
  await waitFor('chat and the vector index to match rag', () => inSync(pipeline, vertexSync), timeoutMs).catch(() => undefined);
  const rag = await ragPublishedRows(pipeline.dbs.names.rag);
  expect(await chatPublishedRows(pipeline.dbs.names.chat)).toEqual(rag);
  expect(await indexState(vertexSync)).toEqual(rag.map((r) => r.id));
  const datapoints = await readDatapoints(
    vertexSync,
    rag.slice(0, 50).map((r) => r.id as string),
  );
  for (const point of datapoints) {
    const row = rag.find((r) => r.id === point.datapointId)!;
    expect(point.crowdingTag).toEqual({ crowdingAttribute: row.document_id });
    expect(point.restricts).toEqual(
      ['document_payer', 'document_state', 'document_program', 'document_authority_level', 'source_type'].map((namespace) => ({
        namespace,
        allowList: [row[namespace] ?? ''],
      })),
    );
  }
  return rag;
}
