import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { contentSha } from '@mobius/contracts';
import { reconcile, repairDocuments } from '@mobius/reconcile';
import { createVectorIndex, type VectorIndex } from '@mobius/vector-index';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mobius } from './support/cli.ts';
import { queryDatabase, testDatabaseUrl } from './support/databases.ts';
import { CONSUMERS, chatPublishedRows, createPipeline, ragPublishedRows, type Pipeline } from './support/pipeline.ts';
import { expectConverged, markdown, publishDocument } from './support/pipeline-checks.ts';
import { waitFor, type ServiceProcess } from './support/processes.ts';

// mobius resync and the reconciler on the real Postgres and NATS, every service its own process and the
// vector index on the local server: drift no event describes (a hard delete by plain SQL, rows the old
// job left in Chat and in the index, a tampered and a lost Chat row, an emptied index) is found per
// document, repaired through the sinks' guards, and a backfill survives being killed.

const DIMENSIONS = 64;

/** Every datapoint id the index holds, sorted (the local server can list them). */
async function indexIds(index: VectorIndex): Promise<string[]> {
  return (await index.listDatapointIds()).sort();
}

function parseJson(out: string) {
  return JSON.parse(out) as {
    targets: {
      target: string;
      missing: number;
      extra: number;
      stale: number;
      invalid: number;
      documents: { document_id: string; missing: number; extra: number; stale: number; invalid: number; reasons?: string[] }[];
    }[];
  };
}

/** A Chat row the old batch job left behind (pre-cutover), for a document RAG no longer has. */
async function insertOrphanChatRow(chatDb: string, documentId: string, id: string): Promise<void> {
  await queryDatabase(
    chatDb,
    `INSERT INTO published_rag_metadata (id, document_id, source_type, source_id, text, content_sha, created_at, updated_at,
                                         document_payer, document_state, document_program, document_authority_level)
     VALUES ($1, $2, 'hierarchical', $3, 'old job row', 'x', now(), now(), 'Old Payer', 'FL', 'Medicaid', 'payer_policy')`,
    [id, documentId, randomUUID()],
  );
}

function vector(seed: number): number[] {
  return Array.from({ length: DIMENSIONS }, (_, i) => Math.sin(seed * 31 + i) + 1.5);
}

describe('mobius resync and the reconciler', () => {
  let pipeline: Pipeline;
  let rag: ServiceProcess;
  let vertexSync: ServiceProcess;
  let index: VectorIndex;
  const docs: string[] = [];

  beforeAll(async () => {
    pipeline = await createPipeline('resync', {}, { vectorIndex: 'local' });
    const started = await Promise.all([pipeline.start('rag'), ...CONSUMERS.map((name) => pipeline.start(name))]);
    rag = started[0]!;
    vertexSync = started.find((s) => s.name === 'vertex-sync')!;
    index = await createVectorIndex({
      kind: 'local',
      dimensions: DIMENSIONS,
      url: pipeline.env.VECTOR_INDEX_URL!,
      serviceToken: pipeline.env.MOBIUS_SERVICE_TOKEN!,
    });
    for (const [i, payer] of ['Molina', 'Sunshine Health', 'Aetna', 'Humana'].entries()) {
      docs.push(await publishDocument(rag, `policy-${i}.md`, markdown(`Policy ${i}`, 6), { payer, state: 'FL' }));
    }
    await waitFor(
      'the index to hold every row',
      async () => (await indexIds(index)).length === (await ragPublishedRows(pipeline.dbs.names.rag)).length,
      30_000,
    );
  }, 120_000);

  afterAll(async () => {
    await index?.close();
    await pipeline?.destroy();
  });

  it('an in-sync corpus checks clean: exit 0, both targets, no drifted document', async () => {
    await waitFor(
      'chat to match rag',
      async () => JSON.stringify(await chatPublishedRows(pipeline.dbs.names.chat)) === JSON.stringify(await ragPublishedRows(pipeline.dbs.names.rag)),
    );
    const check = await mobius(['resync', '--check'], pipeline.env);
    expect(check.stderr).toMatch(/^mobius resync: rag \(read\) postgresql:.*, chat postgresql:.*, index local http/);
    expect(check.code).toBe(0);
    expect(check.out[0]).toMatch(/^chat: 0 missing, 0 extra, 0 stale, 0 invalid \(RAG \d+ rows, Chat \d+\)$/);
    expect(check.out[1]).toMatch(
      /^vertex: 0 missing, 0 extra, 0 stale, 0 invalid \(RAG \d+ rows, ledger \d+; \d+ datapoints read back from the index, 0 absent\)$/,
    );
  });

  it('finds a hard delete, old-job orphans, a tampered and a lost row, per document, and exits 1', async () => {
    const ragDb = pipeline.dbs.names.rag;
    const chatDb = pipeline.dbs.names.chat;
    // The existing app's hard delete: rows and events go, nothing is relayed.
    await queryDatabase(ragDb, 'DELETE FROM rag_published_embeddings WHERE document_id = $1', [docs[0]]);
    await queryDatabase(ragDb, 'DELETE FROM publish_events WHERE document_id = $1', [docs[0]]);
    // Rows and datapoints the old job wrote for a document RAG no longer has; the ledger is seeded at cutover.
    const orphanDoc = randomUUID();
    const orphanIds = [randomUUID(), randomUUID()].sort();
    for (const id of orphanIds) await insertOrphanChatRow(chatDb, orphanDoc, id);
    await index.upsertDatapoints(
      orphanIds.map((id, i) => ({
        datapointId: id,
        featureVector: vector(i),
        restricts: ['document_payer', 'document_state', 'document_program', 'document_authority_level', 'source_type'].map((namespace) => ({
          namespace: namespace as 'source_type',
          allowList: [''] as [string],
        })),
        crowdingTag: { crowdingAttribute: orphanDoc },
      })),
    );
    const seed = await mobius(['resync', '--seed-ledger'], pipeline.env);
    expect([seed.code, seed.out]).toEqual([0, ['seeded the vector ledger with 2 datapoint ids from published_rag_metadata']]);
    // Hand edits in Chat: one row tampered, one deleted.
    const [tampered, lost] = (
      await queryDatabase<{ id: string }>(chatDb, 'SELECT id FROM published_rag_metadata WHERE document_id = $1 ORDER BY id LIMIT 2', [docs[1]])
    ).map((r) => r.id);
    await queryDatabase(chatDb, `UPDATE published_rag_metadata SET text = 'tampered' WHERE id = $1`, [tampered]);
    await queryDatabase(chatDb, 'DELETE FROM published_rag_metadata WHERE id = $1', [lost]);
    const deletedRows = (await queryDatabase(chatDb, 'SELECT id FROM published_rag_metadata WHERE document_id = $1', [docs[0]])).length;

    const check = await mobius(['resync', '--check', '--json'], pipeline.env);
    expect(check.code).toBe(1);
    const [chat, vertex] = parseJson(check.stdout).targets;
    expect(chat).toMatchObject({ target: 'chat', missing: 1, extra: deletedRows + 2, stale: 1, invalid: 0 });
    expect(chat!.documents).toEqual(
      [
        { document_id: docs[0]!, missing: 0, extra: deletedRows, stale: 0, invalid: 0 },
        { document_id: docs[1]!, missing: 1, extra: 0, stale: 1, invalid: 0 },
        { document_id: orphanDoc, missing: 0, extra: 2, stale: 0, invalid: 0 },
      ].sort((a, b) => (a.document_id < b.document_id ? -1 : 1)),
    );
    // The index never saw the Chat edits; it holds the hard-deleted document and the orphans.
    expect(vertex).toMatchObject({ target: 'vertex', missing: 0, extra: deletedRows + 2, stale: 0, invalid: 0 });
    expect(vertex!.documents.map((d) => d.document_id).sort()).toEqual([docs[0]!, orphanDoc].sort());

    const human = await mobius(['resync', '--check', '--target', 'chat', '--document', docs[1]!], pipeline.env);
    expect(human.code).toBe(1);
    expect(human.out).toEqual([expect.stringMatching(/^chat: 1 missing, 0 extra, 1 stale, 0 invalid/), `  ${docs[1]}  missing 1, stale 1`]);
  });

  it('--repair brings Chat and the index back to RAG, deleting by document, then --check exits 0', async () => {
    const repair = await mobius(['resync', '--repair'], pipeline.env);
    expect(repair.code).toBe(0);
    expect(repair.err.some((line) => /^repair vertex: \[#+-*\] \d+\/\d+ documents \(\d+%\), [\d.]+\/s, ETA/.test(line))).toBe(true);
    expect(repair.out).toContainEqual(expect.stringMatching(/^chat: found 1 missing, \d+ extra, 1 stale; repaired 3 documents/));
    const rag = await ragPublishedRows(pipeline.dbs.names.rag);
    expect(await chatPublishedRows(pipeline.dbs.names.chat)).toEqual(rag);
    expect(await indexIds(index)).toEqual(rag.map((row) => row.id));
    const check = await mobius(['resync', '--check'], pipeline.env);
    expect(check.code).toBe(0);
    const runs = await queryDatabase(pipeline.dbs.names.chat, `SELECT sink, status FROM sync_runs WHERE sink LIKE 'resync:%' ORDER BY sink`);
    expect(runs).toEqual([
      { sink: 'resync:chat', status: 'success' },
      { sink: 'resync:vertex', status: 'success' },
    ]);
  });

  it('an emptied index: replay says nothing will change and points to resync; resync finds it and refills it', async () => {
    const before = await indexIds(index);
    await index.removeDatapoints(before);
    expect(await indexIds(index)).toEqual([]);
    const replay = await mobius(['replay', '--subscription', 'vertex-sync', '--from', 'beginning'], pipeline.env);
    expect(replay.code).toBe(1);
    expect(replay.stderr).toContain('replaying vertex-sync would change nothing');
    expect(replay.stderr).toContain('mobius resync --repair --target vertex');
    const check = await mobius(['resync', '--check', '--target', 'vertex', '--json'], pipeline.env);
    expect(check.code).toBe(1);
    expect(parseJson(check.stdout).targets[0]).toMatchObject({ missing: before.length, extra: 0, stale: 0 });
    const repair = await mobius(['resync', '--repair', '--target', 'vertex'], pipeline.env);
    expect(repair.code).toBe(0);
    expect(await indexIds(index)).toEqual(before);
    await expectConverged(pipeline, vertexSync);
  });

  it('the reconciler service removes a document hard-deleted by plain SQL within one interval, and exports drift', async () => {
    const reconciler = await pipeline.start('reconciler', { RECONCILE_INTERVAL_SECONDS: '1' });
    const gone = docs[2]!;
    const ids = (
      await queryDatabase<{ id: string }>(pipeline.dbs.names.rag, 'SELECT id::text AS id FROM rag_published_embeddings WHERE document_id = $1', [
        gone,
      ])
    ).map((r) => r.id);
    expect(ids.length).toBeGreaterThan(0);
    await queryDatabase(pipeline.dbs.names.rag, 'DELETE FROM rag_published_embeddings WHERE document_id = $1', [gone]);
    await queryDatabase(pipeline.dbs.names.rag, 'DELETE FROM publish_events WHERE document_id = $1', [gone]);
    await waitFor(
      'the reconciler to remove the document from Chat and the index',
      async () => {
        const chatRows = await queryDatabase(pipeline.dbs.names.chat, 'SELECT 1 FROM published_rag_metadata WHERE document_id = $1', [gone]);
        const held = await index.readDatapoints(ids);
        return chatRows.length === 0 && held.length === 0;
      },
      20_000,
    );
    const metrics = await (await fetch(`${reconciler.url}/metrics`)).text();
    expect(metrics).toMatch(/mobius_drift_found_total\{[^}]*target="chat"[^}]*kind="extra"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/mobius_drift_rows\{[^}]*target="vertex"[^}]*kind="extra"[^}]*\} 0/);
    expect(reconciler.logs.some((line) => line.includes('reconciler repaired chat'))).toBe(true);
    expect((await fetch(`${reconciler.url}/readyz`)).status).toBe(200);
  });
});

describe('backfill: resync --repair on an empty Chat and index, killed halfway, resumed', () => {
  let pipeline: Pipeline;
  let index: VectorIndex;
  const DOCUMENTS = 60;

  beforeAll(async () => {
    pipeline = await createPipeline('backfill', {}, { vectorIndex: 'local' });
    index = await createVectorIndex({
      kind: 'local',
      dimensions: DIMENSIONS,
      url: pipeline.env.VECTOR_INDEX_URL!,
      serviceToken: pipeline.env.MOBIUS_SERVICE_TOKEN!,
    });
    // A corpus the existing RAG app published (plain SQL), never relayed: nothing downstream has it.
    const values: string[] = [];
    const params: unknown[] = [];
    for (let d = 0; d < DOCUMENTS; d++) {
      const documentId = randomUUID();
      await queryDatabase(pipeline.dbs.names.rag, `INSERT INTO documents (id, filename) VALUES ($1, $2)`, [documentId, `legacy-${d}.md`]);
      await queryDatabase(
        pipeline.dbs.names.rag,
        `INSERT INTO publish_events (id, document_id, published_at, rows_written) VALUES ($1, $2, now(), 3)`,
        [randomUUID(), documentId],
      );
      for (let r = 0; r < 3; r++) {
        const sourceId = randomUUID();
        const text = `legacy document ${d} paragraph ${r}`;
        // One legacy row has an embedding of the wrong length: its metadata is repaired, its datapoint is invalid.
        const embedding = d === 0 && r === 0 ? vector(1).slice(0, 10) : vector(d * 3 + r);
        params.push(randomUUID(), documentId, sourceId, JSON.stringify(embedding), text, contentSha(documentId, sourceId, text));
        const n = params.length;
        values.push(
          `($${n - 5}, $${n - 4}, 'hierarchical', $${n - 3}, $${n - 2}::jsonb, 'gemini-embedding-001', now(), $${n - 1}, 1, ${r}, $${n}, now())`,
        );
      }
    }
    await queryDatabase(
      pipeline.dbs.names.rag,
      `INSERT INTO rag_published_embeddings (id, document_id, source_type, source_id, embedding, model, created_at, text, page_number,
                                             paragraph_index, content_sha, updated_at) VALUES ${values.join(', ')}`,
      params,
    );
    // The relay is not running here: mark the events relayed, as if they had gone out long ago.
    await queryDatabase(pipeline.dbs.names.rag, 'UPDATE publish_events SET relayed_at = now()');
  }, 120_000);

  afterAll(async () => {
    await index?.close();
    await pipeline?.destroy();
  });

  it('a pass aborted (the reconciler at SIGTERM) stops before its next page or batch and writes nothing more', async () => {
    const rag = new pg.Pool({ connectionString: testDatabaseUrl(pipeline.dbs.names.rag) });
    const chat = new pg.Pool({ connectionString: testDatabaseUrl(pipeline.dbs.names.chat) });
    try {
      const deps = { rag, chat, dimensions: DIMENSIONS, index };
      await expect(reconcile(deps, { mode: 'repair', targets: ['chat', 'vertex'], signal: AbortSignal.abort() })).rejects.toMatchObject({
        name: 'AbortError',
      });
      const controller = new AbortController();
      const repair = repairDocuments(
        deps,
        'chat',
        [...Array(DOCUMENTS).keys()].map(() => randomUUID()),
        new Date(),
        controller.signal,
      );
      controller.abort();
      await expect(repair).rejects.toMatchObject({ name: 'AbortError' });
      expect(await chatPublishedRows(pipeline.dbs.names.chat)).toEqual([]);
    } finally {
      await Promise.all([rag.end(), chat.end()]);
    }
  });

  it('is killed after its first committed batch, keeps what it committed, and a second run finishes the rest', async () => {
    const child = spawn(process.execPath, ['bin/mobius.js', 'resync', '--repair', '--target', 'all'], {
      env: { PATH: process.env.PATH ?? '', ...pipeline.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
    const progress: string[] = [];
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stderr! }).on('line', (line) => {
        progress.push(line);
        if (/^repair vertex: .* (\d+)\/60 documents/.test(line)) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      void exited.then(() => reject(new Error(`resync exited before its first batch:\n${progress.join('\n')}`)));
    });
    expect(await exited).toBe('SIGKILL');
    const ledger = await queryDatabase<{ n: number }>(pipeline.dbs.names.chat, 'SELECT count(*)::int AS n FROM mobius_vector_ledger');
    expect(ledger[0]!.n).toBeGreaterThan(0);
    expect(ledger[0]!.n).toBeLessThan(DOCUMENTS * 3 - 1);

    const resumed = await mobius(['resync', '--repair', '--target', 'all', '--json'], pipeline.env);
    expect(resumed.code).toBe(0);
    const [vertex, chat] = parseJson(resumed.stdout).targets;
    expect(vertex).toMatchObject({ target: 'vertex', missing: 0, extra: 0, stale: 0, invalid: 1 });
    expect(vertex!.documents).toEqual([expect.objectContaining({ invalid: 1, reasons: ['embedding has 10 dimensions, expected 64'] })]);
    expect(chat).toMatchObject({ target: 'chat', missing: 0, extra: 0, stale: 0, invalid: 0 });
    const rag = await ragPublishedRows(pipeline.dbs.names.rag);
    expect(await chatPublishedRows(pipeline.dbs.names.chat)).toEqual(rag);
    expect((await indexIds(index)).length).toBe(DOCUMENTS * 3 - 1);
    const check = await mobius(['resync', '--check'], pipeline.env);
    expect(check.code).toBe(0);
    expect(check.out).toContainEqual(expect.stringMatching(/^vertex: 0 missing, 0 extra, 0 stale, 1 invalid/));
  });
});
