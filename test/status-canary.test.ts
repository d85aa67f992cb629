import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTokenService } from '@mobius/auth';
import { CANARY } from '@mobius/contracts';
import type { PipelineStatus } from '@mobius/status';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mobius } from './support/cli.ts';
import { queryDatabase } from './support/databases.ts';
import { CONSUMERS, createPipeline, type Pipeline } from './support/pipeline.ts';
import { waitFor, type ServiceProcess } from './support/processes.ts';

// The freshness canary: with PROBE_INTERVAL_SECONDS the rag service republishes one reserved document,
// so `mobius status` has freshness samples while nobody publishes, and chat search never returns it.
const SECRET = 'status-canary-secret';
let pipeline: Pipeline;
let chat: ServiceProcess;

beforeAll(async () => {
  pipeline = await createPipeline('canary', { JWT_SECRET: SECRET }, { vectorIndex: 'local' });
  const started = await Promise.all([
    pipeline.start('rag', { PROBE_INTERVAL_SECONDS: '1' }),
    ...CONSUMERS.map((name) => pipeline.start(name)),
    pipeline.start('chat'),
  ]);
  chat = started.at(-1)!;
}, 120_000);

afterAll(() => pipeline?.destroy());

describe('the freshness canary (PROBE_INTERVAL_SECONDS)', () => {
  it('gives both sinks freshness samples with nobody publishing, as one document republished', async () => {
    const env = { ...pipeline.env, MOBIUS_DATA_DIR: mkdtempSync(join(tmpdir(), 'mobius-canary-nodev-')) };
    const status = (await waitFor(
      'three canary samples per sink',
      async () => {
        const run = await mobius(['status', '--json'], env);
        const parsed = JSON.parse(run.stdout) as PipelineStatus;
        return parsed.freshness.every((f) => f.samples >= 3) ? parsed : undefined;
      },
      60_000,
      500,
    ))!;
    for (const fresh of status.freshness) expect(fresh.p99_ms!).toBeLessThan(60_000);
    const documents = await queryDatabase(pipeline.dbs.names.rag, 'SELECT filename, payer FROM documents');
    expect(documents).toEqual([{ filename: CANARY.filename, payer: CANARY.payer }]);
    const events = await queryDatabase<{ n: number }>(pipeline.dbs.names.rag, 'SELECT count(*)::int AS n FROM publish_events');
    expect(events[0]!.n).toBeGreaterThanOrEqual(3);
  });

  it('chat search never returns the canary, though Chat holds its rows', async () => {
    const rows = await queryDatabase<{ n: number }>(
      pipeline.dbs.names.chat,
      'SELECT count(*)::int AS n FROM published_rag_metadata WHERE document_payer = $1',
      [CANARY.payer],
    );
    expect(rows[0]!.n).toBeGreaterThan(0);
    const token = createTokenService({ secret: SECRET }).mintAccessToken({
      userId: '11111111-1111-1111-1111-111111111111',
      tenantId: '00000000-0000-0000-0000-000000000001',
    });
    const response = await fetch(`${chat.url}/v1/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: 'Mobius freshness canary probe publish-to-visible time', k: 10 }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { results: unknown[] }).results).toEqual([]);
    expect(chat.logs.some((line) => line.includes('vector hits without a matching'))).toBe(false);
  });
});
