import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHAT_COLUMNS } from '@mobius/contracts';
import { createVectorIndex, toDatapoint, type VectorIndex } from '@mobius/vector-index';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mobius, problemsIn } from './support/cli.ts';
import { createDatabase, moduleDatabases, queryDatabase } from './support/databases.ts';
import { EXISTING_CHAT_SCHEMA } from './support/existing-chat.ts';
import { EXISTING_RAG_SCHEMA, appHardDelete, appPublish, appUpload } from './support/existing-rag-app.ts';
import { deleteStreams } from './support/nats.ts';
import { NATS_URL, chatPublishedRows, pipelineEnvironment, ragPublishedRows } from './support/pipeline.ts';
import { TEST_SERVICE_TOKEN } from './support/service-token.ts';
import { startServiceProcess, stopServiceProcess, waitFor, type ServiceProcess } from './support/processes.ts';

// docs/cutover.md, followed command by command against production as it is on the day: a RAG database the
// existing app built, a Chat database and a vector index the old batch job filled (including the rows of a
// document the app hard-deleted, which the job never removed). Every `mobius` command in the guide's code
// blocks must be run here, in the guide's order.

const DIMENSIONS = 64;

/** The guide's commands: every line of its code blocks that starts with `mobius `. */
function guideCommands(): string[] {
  const guide = readFileSync(new URL('../docs/cutover.md', import.meta.url), 'utf8');
  const blocks = [...guide.matchAll(/```\n([\s\S]*?)```/g)].map((match) => match[1]!);
  return blocks.flatMap((block) =>
    block
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.startsWith('mobius ')),
  );
}

describe('docs/cutover.md, command by command', () => {
  const dbs = moduleDatabases('cutover');
  const topicPrefix = `t${randomBytes(3).toString('hex')}_`;
  const ran: string[] = [];
  const services: ServiceProcess[] = [];
  let env: Record<string, string>;
  let indexServer: ServiceProcess;
  let indexDir: string;
  let index: VectorIndex;
  const documents: string[] = [];

  /** Runs a guide command in process, recording it. */
  async function run(command: string, extraEnv: Record<string, string> = {}) {
    ran.push(command);
    return mobius(command.split(' ').slice(1), { ...env, ...extraEnv });
  }

  /** The old job's run: every RAG row copied into Chat and the index (it never deletes anything). */
  async function oldJobRun(): Promise<void> {
    const rows = await queryDatabase(
      dbs.names.rag,
      `SELECT *, id::text AS id, document_id::text AS document_id,
      created_at::text AS created_at, updated_at::text AS updated_at, document_created_at::text AS document_created_at
      FROM rag_published_embeddings`,
    );
    for (const row of rows) {
      const names = CHAT_COLUMNS.map((c) => c.name);
      const values = names.map((name) => (row as Record<string, unknown>)[name] ?? null);
      await queryDatabase(
        dbs.names.chat,
        `INSERT INTO published_rag_metadata (${names.join(', ')})
         VALUES (${names.map((name, i) => (['created_at', 'updated_at', 'document_created_at'].includes(name) ? `($${i + 1}::timestamp AT TIME ZONE 'UTC')` : `$${i + 1}`)).join(', ')})
         ON CONFLICT (id) DO UPDATE SET text = EXCLUDED.text, updated_at = EXCLUDED.updated_at`,
        values,
      );
    }
    await index.upsertDatapoints(rows.map((row) => toDatapoint(row as never, { dimensions: DIMENSIONS })));
  }

  beforeAll(async () => {
    await createDatabase(dbs.names.rag);
    await queryDatabase(dbs.names.rag, EXISTING_RAG_SCHEMA);
    await createDatabase(dbs.names.chat);
    await queryDatabase(dbs.names.chat, EXISTING_CHAT_SCHEMA);
    await createDatabase(dbs.names.warehouse);
    for (const name of ['coverage', 'claims', 'dental']) {
      const id = await appUpload(dbs.names.rag, `${name}.md`, [`${name} needs prior authorization.`, `${name} appeals go to the plan.`], DIMENSIONS);
      await appPublish(dbs.names.rag, id);
      documents.push(id);
    }
    indexDir = mkdtempSync(join(tmpdir(), 'mobius-cutover-index-'));
    indexServer = await startServiceProcess('vector-index', {
      VECTOR_INDEX_DATA_DIR: indexDir,
      EMBEDDING_DIMENSIONS: String(DIMENSIONS),
      MOBIUS_SERVICE_TOKEN: TEST_SERVICE_TOKEN,
    });
    env = pipelineEnvironment(dbs, topicPrefix, {
      EMBEDDING_DIMENSIONS: String(DIMENSIONS),
      VECTOR_INDEX: 'local',
      VECTOR_INDEX_URL: indexServer.url,
    });
    index = await createVectorIndex({ kind: 'local', dimensions: DIMENSIONS, url: indexServer.url, serviceToken: TEST_SERVICE_TOKEN });
    await oldJobRun();
  }, 120_000);

  afterAll(async () => {
    await Promise.all([...services, indexServer].filter(Boolean).map((s) => stopServiceProcess(s, 3_000)));
    await index?.close();
    await deleteStreams(NATS_URL, topicPrefix);
    await dbs.drop();
    if (indexDir) rmSync(indexDir, { recursive: true, force: true });
  });

  it('1. preflight: migrations plan then apply, the ledger is seeded, and the shadow check shows what the job left', async () => {
    const plan = await run('mobius migrate --env prod --module rag --dry-run');
    expect(plan.code).toBe(0);
    expect(await queryDatabase(dbs.names.rag, `SELECT to_regclass('mobius_schema_version') AS t`)).toEqual([{ t: null }]);
    for (const module of ['rag', 'chat', 'warehouse']) {
      const migrate = await run(`mobius migrate --env prod --module ${module}`);
      expect([module, migrate.code, problemsIn(migrate.stderr)]).toEqual([module, 0, []]);
    }
    const seeded = await run('mobius resync --seed-ledger');
    expect(seeded.out).toEqual([`seeded the vector ledger with 6 datapoint ids from published_rag_metadata`]);
    // The app hard-deletes a document; the job runs again and, as always, never removes it.
    await appHardDelete(dbs.names.rag, documents[2]!);
    await oldJobRun();
    const shadow = await run('mobius resync --check --json');
    expect(shadow.code).toBe(1);
    const targets = (
      JSON.parse(shadow.stdout) as {
        targets: { target: string; missing: number; extra: number; stale: number; documents: { document_id: string }[] }[];
      }
    ).targets;
    for (const target of targets) {
      expect(target).toMatchObject({ missing: 0, extra: 2, stale: 0 });
      expect(target.documents.map((d) => d.document_id)).toEqual([documents[2]]);
    }
  });

  it('2. the switch: repair, start every service, a publish in the app flows, and the check exits 0', async () => {
    const repair = await run('mobius resync --repair --target all');
    expect(repair.code).toBe(0);
    expect(repair.err.some((line) => line.startsWith('repair vertex: '))).toBe(true);
    const rag = await ragPublishedRows(dbs.names.rag);
    expect(await chatPublishedRows(dbs.names.chat)).toEqual(rag);
    expect((await index.listDatapointIds()).sort()).toEqual(rag.map((row) => row.id));
    // The relay's first start sends the app's whole publish history: the mart is built from it.
    for (const service of ['rag', 'ingestor', 'mart-builder', 'chat-sync', 'vertex-sync', 'reconciler']) {
      ran.push(`mobius start ${service}`);
      services.push(await startServiceProcess(service, service === 'reconciler' ? { ...env, RECONCILE_INTERVAL_SECONDS: '1' } : env));
    }
    const fresh = await appUpload(dbs.names.rag, 'fresh.md', ['fresh policy text one.', 'fresh policy text two.'], DIMENSIONS);
    await appPublish(dbs.names.rag, fresh);
    await waitFor(
      'the app publish to reach Chat and the index',
      async () => {
        const chat = await queryDatabase(dbs.names.chat, 'SELECT 1 FROM published_rag_metadata WHERE document_id = $1', [fresh]);
        const ids = await index.listDatapointIds();
        return chat.length === 2 && ids.length === rag.length + 2;
      },
      30_000,
    );
    // A hard delete after the switch leaves within the reconciler's interval.
    await appHardDelete(dbs.names.rag, documents[1]!);
    await waitFor(
      'the reconciler to remove the hard-deleted document',
      async () => (await queryDatabase(dbs.names.chat, 'SELECT 1 FROM published_rag_metadata WHERE document_id = $1', [documents[1]])).length === 0,
      20_000,
    );
    await waitFor('the check to exit 0', async () => (await mobius(['resync', '--check'], env)).code === 0, 20_000);
    const check = await run('mobius resync --check');
    expect(check.code).toBe(0);
    const mart = await queryDatabase<{ n: number }>(
      dbs.names.warehouse,
      'SELECT count(DISTINCT document_id)::int AS n FROM mobius_rag.published_rag_embeddings',
    );
    expect(mart[0]!.n).toBeGreaterThanOrEqual(2);
  });

  it('3. rollback: our services stop, the old job runs again on the migrated databases, and the check compares', async () => {
    await Promise.all(services.map((s) => stopServiceProcess(s)));
    await oldJobRun();
    const check = await run('mobius resync --check --target chat');
    expect(check.code).toBe(0);
  });

  it('ran every command of the guide, in its order', () => {
    expect(ran).toEqual(guideCommands());
  });
});
