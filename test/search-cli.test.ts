// `mobius search` (libs/cli/src/commands/search.ts) through the CLI against a real chat API (its app on
// a migrated Chat database and a memory index, listening on a port): ranked results with their
// document, page, paragraph and excerpt, filters, the token it mints (JWT_SECRET, or the secret
// `mobius dev` keeps in its data directory), and its one-line errors with exit code 1.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PublishedRow } from '@mobius/contracts';
import { publishedRow } from '@mobius/warehouse/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatTestService, type ChatTestService } from '../services/chat/src/testing/harness.ts';
import { mobius, problemsIn } from './support/cli.ts';
import { createMigratedDatabase, dropDatabases, testDatabaseUrl, uniqueName } from './support/databases.ts';

const DIMENSIONS = 1536;
const SECRET = 'search-cli-test-secret';
const database = uniqueName('search_cli');
let chat: ChatTestService;
let chatUrl: string;
let dataDir: string;

const MRI = 'Advanced imaging such as MRI and CT requires prior authorization before the scan is scheduled.';
const FILING = 'Claims must be submitted within 180 days of the date of service.';

/** One published document of one paragraph, in Chat's table and in the index, as the pipeline leaves it. */
async function publish(text: string, metadata: Partial<PublishedRow>): Promise<void> {
  const row = publishedRow(
    randomUUID(),
    { text, summary: '', page_number: 2, paragraph_index: 4, section_path: 'Requirements', ...metadata },
    DIMENSIONS,
  );
  const [embedding] = await chat.embedder.embed([`${row.summary}\n${row.text}`]);
  const rows = [{ ...row, embedding: embedding! }];
  await chat.insertRows(rows);
  await chat.indexRows(rows);
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  await createMigratedDatabase(database, 'chat');
  chat = await createChatTestService({ databaseUrl: testDatabaseUrl(database), dimensions: DIMENSIONS, secret: SECRET });
  await publish(MRI, {
    document_filename: 'imaging.md',
    document_payer: 'Sunshine Health',
    document_state: 'FL',
    document_program: 'Medicaid',
    document_authority_level: 'payer_policy',
  });
  await publish(FILING, {
    document_filename: 'filing.md',
    document_payer: 'Superior HealthPlan',
    document_state: 'TX',
    document_program: 'Medicaid',
    document_authority_level: 'provider_manual',
  });
  chatUrl = await chat.app.listen({ port: 0, host: '127.0.0.1' });
  dataDir = await mkdtemp(join(tmpdir(), 'search-cli-'));
});

afterAll(async () => {
  await chat?.close();
  await dropDatabases([database]);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('mobius search', () => {
  it('prints the ranked results: score, document, page and paragraph, section, metadata, excerpt', async () => {
    const run = await mobius(['search', 'prior authorization for an MRI scan', '--chat-url', chatUrl, '-k', '2'], { JWT_SECRET: SECRET });
    expect(problemsIn(run.stderr)).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.out[0]).toBe('2 results for "prior authorization for an MRI scan"');
    expect(run.out[1]).toMatch(
      /^ 1\. 0\.\d{3} {2}imaging\.md, page 2, paragraph 4 - Requirements {2}\[Sunshine Health, FL, Medicaid, payer_policy\]$/,
    );
    expect(run.out[2]).toBe(`    ${MRI}`);
    expect(run.out[3]).toMatch(/^ 2\. 0\.\d{3} {2}filing\.md, /);
    expect(Number(run.out[1]!.slice(4, 9))).toBeGreaterThan(Number(run.out[3]!.slice(4, 9)));
  });

  it('sends the filters (state upper-cased, as rag stores it) and says when nothing matches', async () => {
    const texas = await mobius(['search', 'prior authorization for an MRI scan', '--chat-url', chatUrl, '--state', 'tx'], { JWT_SECRET: SECRET });
    expect(texas.code).toBe(0);
    expect(texas.out.filter((line) => /^ *\d+\. /.test(line)).map((line) => line.split('  ')[1]!.split(',')[0])).toEqual(['filing.md']);
    const none = await mobius(['search', 'imaging', '--chat-url', chatUrl, '--payer', 'Nobody Health'], { JWT_SECRET: SECRET });
    expect(none).toMatchObject({ code: 0, out: ['no results for "imaging"'] });
  });

  it('mints its token with the secret mobius dev keeps when JWT_SECRET is unset, or says there is none', async () => {
    const noSecret = await mobius(['search', 'imaging', '--chat-url', chatUrl, '--data-dir', dataDir], {});
    expect(noSecret.code).toBe(1);
    expect(problemsIn(noSecret.stderr)).toEqual([
      `mobius: error: SEARCH_NO_TOKEN: no token: give --token, set JWT_SECRET, or start mobius dev once (it keeps its secret in ${join(dataDir, 'jwt-secret')})`,
    ]);
    await writeFile(join(dataDir, 'jwt-secret'), `${SECRET}\n`, { mode: 0o600 });
    const withFile = await mobius(['search', 'imaging', '--chat-url', chatUrl, '--data-dir', dataDir], {});
    expect(withFile.code, withFile.stderr).toBe(0);
    expect(withFile.out[1]).toContain('imaging.md, page 2, paragraph 4');
  });

  it('fails in one line with exit 1 when chat refuses the token (401)', async () => {
    const wrongSecret = await mobius(['search', 'imaging', '--chat-url', chatUrl], { JWT_SECRET: 'not-the-chat-secret' });
    expect(wrongSecret).toMatchObject({ code: 1, out: [] });
    expect(problemsIn(wrongSecret.stderr)).toHaveLength(1);
    expect(problemsIn(wrongSecret.stderr)[0]).toMatch(
      /^mobius: error: CHAT_REJECTED: chat answered 401 TOKEN_INVALID_SIGNATURE .*\(signed with another JWT_SECRET than chat's\)$/,
    );
    const garbage = await mobius(['search', 'imaging', '--chat-url', chatUrl, '--token', 'not-a-jwt'], { JWT_SECRET: SECRET });
    expect(garbage.code).toBe(1);
    expect(problemsIn(garbage.stderr)[0]).toMatch(/^mobius: error: CHAT_REJECTED: chat answered 401 TOKEN_MALFORMED /);
  });

  it('fails in one line with exit 1 when chat cannot be reached, or refuses the request', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const unreachable = await mobius(['search', 'imaging', '--chat-url', url], { JWT_SECRET: SECRET });
    expect(unreachable).toMatchObject({ code: 1, out: [] });
    expect(problemsIn(unreachable.stderr)).toEqual([
      `mobius: error: CHAT_UNREACHABLE: cannot reach chat at ${url} (ECONNREFUSED); is mobius dev running?`,
    ]);
    const viaEnv = await mobius(['search', 'imaging'], { JWT_SECRET: SECRET, CHAT_URL: url });
    expect(problemsIn(viaEnv.stderr)[0]).toContain(`cannot reach chat at ${url}`);
    const tooMany = await mobius(['search', 'imaging', '--chat-url', chatUrl, '-k', '500'], { JWT_SECRET: SECRET });
    expect(problemsIn(tooMany.stderr)).toEqual(['mobius: error: CHAT_REJECTED: chat answered 400 INVALID_BODY k must be at most 100']);
    const notANumber = await mobius(['search', 'imaging', '--chat-url', chatUrl, '-k', 'ten'], { JWT_SECRET: SECRET });
    expect(problemsIn(notANumber.stderr)).toEqual(['mobius: error: SEARCH_INPUT: -k must be a positive integer, got "ten"']);
  });
});
