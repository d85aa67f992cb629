import { createServiceBus } from '@mobius/backends';
import { DEAD_LETTER_ATTRIBUTES, type Bus } from '@mobius/bus';
import { loadBusConfig } from '@mobius/config';
import { CE, EVENTS, TOPICS } from '@mobius/contracts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mobius, problemsIn } from './cli.ts';
import { queryDatabase } from './databases.ts';
import { CONSUMERS, createPipeline, ragPublishedRows, type Pipeline } from './pipeline.ts';
import { expectConverged, markdown, publishDocument, ragApi } from './pipeline-checks.ts';
import { stopServiceProcess, waitFor, type ServiceProcess } from './processes.ts';

/** Sum of a counter on a service's /metrics (all series whose labels include `match`). */
async function counter(service: ServiceProcess, name: string, match: string): Promise<number> {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) && line.includes(match))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

/**
 * The pipeline's end-to-end scenario, every service its own `mobius start` process on the real Postgres
 * and the bus `busEnv` selects: run once per bus adapter, with the same assertions.
 */
export function describePipelineScenario(label: string, tag: string, busEnv: Record<string, string>): void {
  let pipeline: Pipeline;
  let rag: ServiceProcess;
  let vertexSync: ServiceProcess;
  let bus: Bus;
  const documents: Record<string, string> = {};

  beforeAll(async () => {
    pipeline = await createPipeline(tag, busEnv);
    const started = await Promise.all([pipeline.start('rag'), ...CONSUMERS.map((name) => pipeline.start(name))]);
    rag = started[0]!;
    vertexSync = started.find((s) => s.name === 'vertex-sync')!;
    bus = await createServiceBus('e2e', loadBusConfig('e2e', pipeline.env));
  }, 120_000);

  afterAll(async () => {
    await bus?.close();
    await pipeline?.destroy();
  });

  describe(`the pipeline end to end on Postgres and ${label}`, () => {
    it('every service answers /readyz once its backends are reachable', async () => {
      for (const service of pipeline.running) {
        const response = await fetch(`${service.url}/readyz`);
        expect({ service: service.name, status: response.status }).toEqual({ service: service.name, status: 200 });
      }
    });

    it('published documents reach Chat and the vector index exactly as RAG holds them', async () => {
      const folder = mkdtempSync(join(tmpdir(), 'mobius-docs-'));
      writeFileSync(join(folder, 'prior-auth.md'), markdown('Prior auth', 12));
      writeFileSync(join(folder, 'eligibility.md'), markdown('Eligibility', 7));
      const cli = await mobius(['publish', folder, '--payer', 'Sunshine Health', '--state', 'FL', '--program', 'Medicaid'], {
        RAG_URL: rag.url,
        MOBIUS_SERVICE_TOKEN: pipeline.env.MOBIUS_SERVICE_TOKEN,
      });
      expect(problemsIn(cli.stderr)).toEqual([]);
      expect(cli.code).toBe(0);
      documents.prior = /document ([0-9a-f-]{36})/.exec(cli.out.find((l) => l.includes('prior-auth.md'))!)![1]!;
      documents.eligibility = /document ([0-9a-f-]{36})/.exec(cli.out.find((l) => l.includes('eligibility.md'))!)![1]!;
      documents.claims = await publishDocument(rag, 'claims.md', markdown('Claims', 9), { payer: 'Molina', state: 'OH' });
      documents.denials = await publishDocument(rag, 'denials.md', markdown('Denials', 6));
      const rows = await expectConverged(pipeline, vertexSync);
      expect(rows.length).toBe(12 + 7 + 9 + 6); // one row per paragraph (a short title joins its neighbour)
    });

    it('a republish with fewer and changed paragraphs replaces the document everywhere', async () => {
      await ragApi(rag, 'PUT', `/documents/${documents.prior}`, {
        filename: 'prior-auth.md',
        text: markdown('Prior auth', 8, ' (revised)'),
        payer: 'Sunshine Health',
      });
      await ragApi(rag, 'POST', `/documents/${documents.prior}/publish`, {});
      const rows = await expectConverged(pipeline, vertexSync);
      const prior = rows.filter((r) => r.document_id === documents.prior);
      expect(prior.length).toBe(8);
      expect(prior.filter((r) => String(r.text).includes('(revised)'))).toHaveLength(8);
    });

    it('an unpublish and a delete remove the documents everywhere', async () => {
      await ragApi(rag, 'POST', `/documents/${documents.eligibility}/unpublish`, {});
      await ragApi(rag, 'DELETE', `/documents/${documents.denials}`);
      const rows = await expectConverged(pipeline, vertexSync);
      const ids = new Set(rows.map((r) => r.document_id));
      expect(ids.has(documents.eligibility)).toBe(false);
      expect(ids.has(documents.denials)).toBe(false);
      expect(ids.has(documents.claims)).toBe(true);
    });

    it('rows and a publish event written by plain SQL, as the existing RAG app does, are synced', async () => {
      const documentId = '0b7e2f4a-1c3d-4e5f-8a9b-0c1d2e3f4a5b';
      const embedding = JSON.stringify(Array.from({ length: 64 }, (_, i) => (i % 7) / 10 - 0.3));
      // The existing app's publish: its rows and one publish_events row with only the contract's columns.
      await queryDatabase(
        pipeline.dbs.names.rag,
        `INSERT INTO rag_published_embeddings (id, document_id, source_type, source_id, embedding, model, created_at, text,
           page_number, paragraph_index, document_filename, document_payer, document_state, content_sha, updated_at)
         SELECT gen_random_uuid(), $1, 'hierarchical', gen_random_uuid(), $2::jsonb, 'gemini-embedding-001',
           now() AT TIME ZONE 'utc', 'Legacy paragraph ' || n, 1, n, 'legacy.md', 'Aetna', 'TX',
           encode(sha256(convert_to('legacy' || n, 'UTF8')), 'hex'), now() AT TIME ZONE 'utc'
           FROM generate_series(0, 4) AS n`,
        [documentId, embedding],
      );
      await queryDatabase(
        pipeline.dbs.names.rag,
        `INSERT INTO publish_events (id, document_id, published_at, published_by, rows_written)
         VALUES (gen_random_uuid(), $1, now() AT TIME ZONE 'utc', 'legacy-app', 5)`,
        [documentId],
      );
      const rows = await expectConverged(pipeline, vertexSync);
      expect(rows.filter((r) => r.document_id === documentId)).toHaveLength(5);
    });

    it('replaying rag.publish_events from the beginning changes nothing at all', async () => {
      const events = Number((await queryDatabase(pipeline.dbs.names.rag, 'SELECT count(*) FROM publish_events'))[0]!.count);
      const ingestor = pipeline.running.find((s) => s.name === 'ingestor')!;
      const before = {
        chat: await queryDatabase(pipeline.dbs.names.chat, 'SELECT id, xmin::text FROM published_rag_metadata ORDER BY id'),
        runs: await queryDatabase(pipeline.dbs.names.warehouse, 'SELECT count(*)::int AS n FROM mobius_rag.mart_runs'),
        syncRuns: await queryDatabase(pipeline.dbs.names.chat, 'SELECT count(*)::int AS n FROM sync_runs'),
        acked: await counter(ingestor, 'mobius_messages_total', 'outcome="ack"'),
      };
      const replay = await mobius(['replay', '--subscription', 'ingestor', '--from', 'beginning'], pipeline.env);
      expect(problemsIn(replay.stderr)).toEqual([]);
      expect(replay.code).toBe(0);
      await waitFor(
        'the ingestor to handle every event again',
        async () => (await counter(ingestor, 'mobius_messages_total', 'outcome="ack"')) >= before.acked + events,
      );
      await new Promise((resolve) => setTimeout(resolve, 1_000)); // let any (wrong) downstream effect land
      expect(await queryDatabase(pipeline.dbs.names.chat, 'SELECT id, xmin::text FROM published_rag_metadata ORDER BY id')).toEqual(before.chat);
      expect(await queryDatabase(pipeline.dbs.names.warehouse, 'SELECT count(*)::int AS n FROM mobius_rag.mart_runs')).toEqual(before.runs);
      expect(await queryDatabase(pipeline.dbs.names.chat, 'SELECT count(*)::int AS n FROM sync_runs')).toEqual(before.syncRuns);
    });

    it('malformed and schema-invalid messages go to each dead-letter topic with a reason; the rest keeps flowing', async () => {
      const topics = [TOPICS.ragPublishEvents, TOPICS.landingIngested, TOPICS.martUpdated];
      const types = [EVENTS.ragPublishEvent.type, EVENTS.landingIngested.type, EVENTS.martUpdated.type];
      for (const [i, topic] of topics.entries()) {
        const attributes = { [CE.type]: types[i]!, [CE.specversion]: '1.0', [CE.source]: '/e2e', [CE.id]: `bad-${i}` };
        await bus.publish({ topic, id: `garbage-${i}`, data: new TextEncoder().encode('{not json'), attributes });
        await bus.publish({ topic, id: `invalid-${i}`, data: new TextEncoder().encode('{"document_id": 42}'), attributes });
      }
      const subscriptions = [
        ['rag.publish_events', 'ingestor'],
        ['warehouse.landing_ingested', 'mart-builder'],
        ['warehouse.mart_updated', 'chat-sync'],
        ['warehouse.mart_updated', 'vertex-sync'],
      ] as const;
      for (const [topic, subscription] of subscriptions) {
        const dlq = `${topic}.dlq.${subscription}`;
        const dead = await waitFor(`two dead letters on ${dlq}`, async () => {
          const messages = await bus.peek(dlq, 10);
          return messages.length >= 2 ? messages : undefined;
        });
        for (const message of dead!) {
          expect(message.attributes[DEAD_LETTER_ATTRIBUTES.reason]).toMatch(/not valid JSON|document_id|run_id|batches|body/);
          expect(message.attributes[DEAD_LETTER_ATTRIBUTES.subscription]).toBe(subscription);
          expect(message.attributes[CE.source]).toBe('/e2e');
        }
      }
      const late = await publishDocument(rag, 'after-garbage.md', markdown('After garbage', 3));
      const rows = await expectConverged(pipeline, vertexSync);
      expect(rows.some((r) => r.document_id === late)).toBe(true);
      expect((await ragPublishedRows(pipeline.dbs.names.rag)).length).toBe(rows.length);
    });

    it('SIGTERM stops every service cleanly, well within Cloud Run’s 10 s', async () => {
      const results = await Promise.all(pipeline.running.map(async (service) => [service.name, await stopServiceProcess(service, 10_000)]));
      expect(results).toEqual(pipeline.running.map((service) => [service.name, 0]));
    });
  });
}
