import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryDatabase } from './support/databases.ts';
import { CONSUMERS, createPipeline, ragPublishedRows, type Pipeline } from './support/pipeline.ts';
import { expectConverged, indexState, markdown, publishDocument, ragApi } from './support/pipeline-checks.ts';
import { waitFor, type ServiceProcess } from './support/processes.ts';

// Failure and concurrency on the whole pipeline: every service its own process, two instances of each
// consumer (ingestor, mart-builder, chat-sync, vertex-sync), racing publishes, and chat-sync killed with
// SIGKILL in the middle of a big publish. The two vertex-sync instances share one index: the local
// vector index server (VECTOR_INDEX=local), which both write through the Vertex adapter; the checks
// read it back through either instance's /index/datapoints routes.
const DOUBLED = ['ingestor', 'mart-builder', 'chat-sync', 'vertex-sync'] as const;

let pipeline: Pipeline;
let rag: ServiceProcess;
let vertexSync: ServiceProcess;

beforeAll(async () => {
  pipeline = await createPipeline('resilience', {}, { vectorIndex: 'local' });
  const first = await Promise.all([pipeline.start('rag'), ...CONSUMERS.map((name) => pipeline.start(name))]);
  await Promise.all(DOUBLED.map((name) => pipeline.start(name)));
  rag = first[0]!;
  vertexSync = first.find((s) => s.name === 'vertex-sync')!;
}, 120_000);

afterAll(() => pipeline?.destroy());

describe('the pipeline under concurrency and failure', () => {
  it('two instances of each consumer converge on RAG’s state, applying each mart run once', async () => {
    for (const name of DOUBLED) expect(pipeline.running.filter((s) => s.name === name)).toHaveLength(2);
    const ids = await Promise.all(
      Array.from({ length: 8 }, (_, i) => publishDocument(rag, `doc-${i}.md`, markdown(`Doc ${i}`, 5 + i), { payer: `Payer ${i % 3}` })),
    );
    const rows = await expectConverged(pipeline, vertexSync);
    expect(new Set(rows.map((r) => r.document_id))).toEqual(new Set(ids));
    const runs = await queryDatabase(
      pipeline.dbs.names.chat,
      `SELECT sink, mart_run_id, count(*)::int AS n FROM sync_runs WHERE status = 'success'
        GROUP BY sink, mart_run_id HAVING count(*) > 1`,
    );
    expect(runs).toEqual([]);
    // Both vertex-sync instances see the one shared index.
    const [otherVertexSync] = pipeline.running.filter((s) => s.name === 'vertex-sync' && s !== vertexSync);
    expect(await indexState(otherVertexSync!)).toEqual(rows.map((r) => r.id));
  });

  it('two publishes of one document racing: the final RAG state wins everywhere', async () => {
    const id = await publishDocument(rag, 'race.md', markdown('Race', 6));
    for (let round = 0; round < 3; round++) {
      await ragApi(rag, 'PUT', `/documents/${id}`, { filename: 'race.md', text: markdown('Race', 4 + round, ` round ${round}`) });
      await Promise.all([ragApi(rag, 'POST', `/documents/${id}/publish`, {}), ragApi(rag, 'POST', `/documents/${id}/publish`, {})]);
    }
    const rows = await expectConverged(pipeline, vertexSync);
    const race = rows.filter((r) => r.document_id === id);
    expect(race).toHaveLength(6);
    expect(race.every((r) => String(r.text).includes('round 2'))).toBe(true);
  });

  it('chat-sync killed with SIGKILL in the middle of a 2,000-chunk publish restarts to the exact state', async () => {
    const chatSyncs = pipeline.running.filter((s) => s.name === 'chat-sync');
    // One chat-sync instance, so the one we kill is the one applying.
    for (const extra of chatSyncs.slice(1)) {
      extra.child.kill('SIGTERM');
      await extra.exited;
    }
    const victim = chatSyncs[0]!;
    const id = await publishDocument(rag, 'big.md', markdown('Big', 2_000));
    // Kill it while its apply transaction is open: rows are being written but not yet committed.
    await waitFor(
      'chat-sync to be inside its apply transaction',
      async () => {
        const open = await queryDatabase(
          pipeline.dbs.names.chat,
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND application_name = 'mobius-chat-sync' AND xact_start IS NOT NULL
              AND pid <> pg_backend_pid()`,
        );
        return open[0]!.n > 0;
      },
      30_000,
      5,
    );
    victim.child.kill('SIGKILL');
    expect(await victim.exited).toBe('SIGKILL');
    const partial = await queryDatabase(pipeline.dbs.names.chat, 'SELECT count(*)::int AS n FROM published_rag_metadata WHERE document_id = $1', [
      id,
    ]);
    expect(partial[0]!.n).toBe(0); // the killed transaction left nothing half-applied

    await pipeline.start('chat-sync');
    const rows = await expectConverged(pipeline, vertexSync, 60_000);
    expect(rows.filter((r) => r.document_id === id)).toHaveLength(2_000);
    const chat = await queryDatabase(pipeline.dbs.names.chat, 'SELECT count(*)::int AS n, count(DISTINCT id)::int AS d FROM published_rag_metadata');
    expect(chat[0]!.n).toBe(chat[0]!.d);
    expect(chat[0]!.n).toBe((await ragPublishedRows(pipeline.dbs.names.rag)).length);
  }, 180_000);
});
