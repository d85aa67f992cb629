// The poison corpus (issue 14, point 3): malformed JSON, schema-invalid events, unusable embeddings,
// 10 MB bodies, unicode edge cases and SQL-injection strings, sent through each entry point of the
// whole pipeline (every service its own `mobius start` process on the real Postgres and NATS, with
// databases, a TOPIC_PREFIX and a local vector index of its own). Each poison is stored verbatim,
// refused with a clear 4xx, or dead-lettered with its reason; and after each, a normal publish still
// reaches Chat and the index.
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { createServiceBus } from '@mobius/backends';
import { DEAD_LETTER_ATTRIBUTES, type Bus } from '@mobius/bus';
import { loadBusConfig } from '@mobius/config';
import { CE, EVENTS, TOPICS } from '@mobius/contracts';
import { createVectorIndex, type VectorIndex } from '@mobius/vector-index';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mobius } from './support/cli.ts';
import { queryDatabase } from './support/databases.ts';
import { CONSUMERS, createPipeline, type Pipeline } from './support/pipeline.ts';
import { markdown, publishDocument, ragApi } from './support/pipeline-checks.ts';
import { waitFor, type ServiceProcess } from './support/processes.ts';
import { SERVICE_AUTH_HEADER } from './support/service-token.ts';

const DIMENSIONS = 64;
/** How long a normal publish may take to reach Chat and the index (generous: a chaos run shares the cores). */
const FLOW_TIMEOUT_MS = 60_000;
/** Twice rag's default body limit (5 MiB). */
const TEN_MB = 10 * 1024 * 1024;

let pipeline: Pipeline;
let rag: ServiceProcess;
let bus: Bus;
let index: VectorIndex;

beforeAll(async () => {
  pipeline = await createPipeline('poison_corpus', { EMBEDDING_DIMENSIONS: String(DIMENSIONS) }, { vectorIndex: 'local' });
  const started = await Promise.all([pipeline.start('rag'), ...CONSUMERS.map((name) => pipeline.start(name))]);
  rag = started[0]!;
  bus = await createServiceBus('poison-corpus', loadBusConfig('poison-corpus', pipeline.env));
  index = await createVectorIndex({
    kind: 'local',
    dimensions: DIMENSIONS,
    url: pipeline.env.VECTOR_INDEX_URL!,
    serviceToken: pipeline.env.MOBIUS_SERVICE_TOKEN!,
  });
}, 180_000);

afterAll(async () => {
  await index?.close();
  await bus?.close();
  await pipeline?.destroy();
});

const ragSql = (sql: string, params: unknown[] = []) => queryDatabase(pipeline.dbs.names.rag, sql, params);
const chatSql = (sql: string, params: unknown[] = []) => queryDatabase(pipeline.dbs.names.chat, sql, params);

/** The metadata fields of a document, as the rag API names them, and the Chat column each lands in. */
const METADATA_COLUMNS = {
  filename: 'document_filename',
  display_name: 'document_display_name',
  payer: 'document_payer',
  state: 'document_state',
  program: 'document_program',
  authority_level: 'document_authority_level',
  effective_date: 'document_effective_date',
  termination_date: 'document_termination_date',
} as const;
type MetadataField = keyof typeof METADATA_COLUMNS;

/** Chat's rows of a document with every metadata column and the text as UTF-8 hex, so comparisons are byte for byte. */
async function chatBytes(documentId: string): Promise<Record<string, string>[]> {
  const columns = [...Object.values(METADATA_COLUMNS), 'text'].map((c) => `encode(convert_to(${c}, 'UTF8'), 'hex') AS ${c}`).join(', ');
  return (await chatSql(`SELECT ${columns} FROM published_rag_metadata WHERE document_id = $1 ORDER BY id`, [documentId])) as Record<
    string,
    string
  >[];
}

const hex = (value: string) => Buffer.from(value, 'utf8').toString('hex');
/** True when `haystack` (UTF-8 hex) holds the bytes of `value` (compared as bytes, not hex digits). */
const holdsBytes = (haystack: string, value: string) => Buffer.from(haystack, 'hex').includes(Buffer.from(value, 'utf8'));

/** Waits until Chat holds `rows` rows of the document and the index holds RAG's ids of it minus `skipped`. */
async function reachesChatAndIndex(documentId: string, skipped: readonly string[] = []): Promise<void> {
  const ragIds = (await ragSql('SELECT id::text FROM rag_published_embeddings WHERE document_id = $1', [documentId])).map((r) => r.id as string);
  expect(ragIds.length).toBeGreaterThan(0);
  const indexed = ragIds.filter((id) => !skipped.includes(id)).sort();
  const state = async () => {
    const chat = (await chatSql('SELECT id::text FROM published_rag_metadata WHERE document_id = $1', [documentId])).map((r) => r.id as string);
    const held = new Set(await index.listDatapointIds());
    return { chat: chat.sort(), index: ragIds.filter((id) => held.has(id)).sort() };
  };
  await waitFor(
    `${documentId} to reach chat and the index`,
    async () => {
      const now = await state();
      return now.chat.length === ragIds.length && JSON.stringify(now.index) === JSON.stringify(indexed);
    },
    FLOW_TIMEOUT_MS,
  ).catch(() => undefined);
  expect(await state()).toEqual({ chat: [...ragIds].sort(), index: indexed });
}

/** The pipeline still flows: a normal publish through the API reaches Chat and the index. */
async function normalPublishFlows(after: string): Promise<void> {
  const id = await publishDocument(rag, `after-${after}.md`, markdown(`After ${after}`, 2));
  await reachesChatAndIndex(id);
}

/** POSTs a raw body to the rag API with the service token; the status and the answer's text. */
async function postRaw(path: string, body: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`${rag.url}${path}`, {
    method: 'POST',
    headers: { ...SERVICE_AUTH_HEADER, 'content-type': 'application/json' },
    body,
  });
  return { status: response.status, text: await response.text() };
}

/**
 * POSTs a body of `bytes` bytes (a JSON string of that length) and returns the first answer. The server
 * answers 413 and closes the connection without reading the rest, so the body is written chunk by chunk
 * only until the answer arrives: writing on regardless races the close (EPIPE) and loses the answer.
 */
function postOversized(path: string, bytes: number): Promise<{ status: number; text: string }> {
  const chunk = Buffer.alloc(1024 * 1024, 'x');
  return new Promise((resolve, reject) => {
    let answered = false;
    const request = httpRequest(`${rag.url}${path}`, {
      method: 'POST',
      headers: { ...SERVICE_AUTH_HEADER, 'content-type': 'application/json', 'content-length': String(bytes) },
    });
    request.on('response', (response) => {
      answered = true;
      const parts: Buffer[] = [];
      response.on('data', (part: Buffer) => parts.push(part));
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, text: Buffer.concat(parts).toString('utf8') });
        request.destroy();
      });
    });
    request.on('error', (error) => {
      if (!answered) reject(error);
    });
    request.flushHeaders();
    const writeNext = (sent: number) => {
      if (answered || sent >= bytes) return;
      const part = sent === 0 ? Buffer.concat([Buffer.from('"'), chunk.subarray(1)]) : chunk.subarray(0, Math.min(chunk.length, bytes - sent));
      if (request.write(part)) setTimeout(() => writeNext(sent + part.length), 10);
      else request.once('drain', () => writeNext(sent + part.length));
    };
    setTimeout(() => writeNext(0), 50);
  });
}

const document = (fields: Partial<Record<MetadataField | 'text', string>>) => ({
  filename: 'poison.md',
  text: markdown('Poison', 2),
  ...fields,
});

describe('the rag HTTP API', () => {
  it('refuses malformed JSON with 400 and a 10 MB body with 413; the pipeline keeps flowing', async () => {
    for (const body of ['{"filename": "a.md", "text": ', '{not json', '[1, 2', '']) {
      const answer = await postRaw('/documents', body);
      expect({ body, status: answer.status }).toEqual({ body, status: 400 });
      expect(answer.text).toMatch(/JSON|body/i);
    }
    const huge = await postOversized('/documents', TEN_MB);
    expect(huge.status).toBe(413);
    expect(huge.text).toContain('FST_ERR_CTP_BODY_TOO_LARGE');
    expect(await ragSql('SELECT count(*)::int AS n FROM documents')).toEqual([{ n: 0 }]);
    await normalPublishFlows('malformed-api');
  });

  it('refuses a NUL or a lone surrogate in any field with a 400 naming the field; nothing is written', async () => {
    const before = await ragSql('SELECT count(*)::int AS n FROM documents');
    for (const field of [...Object.keys(METADATA_COLUMNS), 'text'] as (MetadataField | 'text')[]) {
      for (const [name, poison] of [
        ['NUL', 'a\u0000b'],
        ['lone high surrogate', 'a\ud800b'],
        ['lone low surrogate', 'a\udc00b'],
      ]) {
        const answer = await postRaw('/documents', JSON.stringify(document({ [field]: poison })));
        expect({ field, name, status: answer.status }).toEqual({ field, name, status: 400 });
        expect(answer.text).toContain(field);
        expect(answer.text).toMatch(/NUL|surrogate/);
      }
    }
    expect(await ragSql('SELECT count(*)::int AS n FROM documents')).toEqual(before);
    await normalPublishFlows('unstorable-text');
  });

  /** Strings that are valid Unicode and must come out of Chat exactly as they went into the API. */
  const VERBATIM = {
    rtl: '\u202Bسياسة \u05E9\u05DC\u05D5\u05DD\u200F\u202C',
    emoji: '👩‍⚕️🏥💊🇺🇸👍🏽',
    combining: 'Z\u0351\u0364a\u0300\u0301e\u0301\u20DD',
    sqlInjection: "'); DROP TABLE documents;--",
    sqlInjectionShort: "' OR 1=1;--",
  };
  /** The dates are varchar(20) in every schema: only strings that short fit. */
  const fitFor = (field: MetadataField, value: string) => (field.endsWith('_date') && [...value].length > 20 ? VERBATIM.sqlInjectionShort : value);

  for (const [flavour, value] of Object.entries(VERBATIM)) {
    it(`stores ${flavour} strings in every metadata field and the text verbatim, byte for byte in Chat`, async () => {
      const fields: Partial<Record<MetadataField, string>> = {};
      for (const field of Object.keys(METADATA_COLUMNS) as MetadataField[]) {
        if (field !== 'state') fields[field] = field === 'filename' ? `${value}.md` : fitFor(field, value);
      }
      const text = `# ${value}\n\n${value}: members must obtain prior authorization before this service is rendered.`;
      const { document_id: id } = await ragApi(rag, 'POST', '/documents', { ...fields, text });
      await ragApi(rag, 'POST', `/documents/${id}/publish`, { published_by: value });
      await reachesChatAndIndex(id);

      const rows = await chatBytes(id);
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) {
        for (const [field, stored] of Object.entries(fields))
          expect({ field, bytes: row[METADATA_COLUMNS[field as MetadataField]] }).toEqual({ field, bytes: hex(stored) });
        expect(row.document_state).toBe('');
      }
      expect(rows.some((row) => holdsBytes(row.text!, `${value}: members must obtain`))).toBe(true);
      await normalPublishFlows(`verbatim-${flavour}`);
    });
  }

  it('refuses anything but a 2-letter code in state with a 400 naming state', async () => {
    for (const value of Object.values(VERBATIM)) {
      const answer = await postRaw('/documents', JSON.stringify(document({ state: value })));
      expect({ value, status: answer.status }).toEqual({ value, status: 400 });
      expect(answer.text).toContain('state must be a 2-letter USPS code');
    }
  });
});

describe("the existing app's SQL path", () => {
  /** SQL-injection strings sized to each rag_published_embeddings column. */
  const INJECTED = {
    document_filename: "x'); DROP TABLE published_rag_metadata;--.md",
    document_display_name: 'Robert"); DELETE FROM sync_runs; --',
    document_payer: "' UNION SELECT * FROM pg_user --",
    document_state: "';",
    document_program: '$$; TRUNCATE mobius_rag.mart_runs; $$',
    document_authority_level: "\\'; COMMIT; DROP SCHEMA public CASCADE;--",
    document_effective_date: "' OR 1=1;--",
    document_termination_date: '1); DROP TABLE x;--',
  };
  const embedding = (seed: number) => Array.from({ length: DIMENSIONS }, (_, i) => Math.sin(seed + i) / 2);
  const spoil = (seed: number, at: number, value: string) => JSON.stringify(embedding(seed).map((v, i) => (i === at ? value : v)));

  /** The existing app's publish by plain SQL: one row per embedding (all carrying INJECTED) and one event; the row ids by name. */
  async function legacyPublish(documentId: string, embeddings: Record<string, string>): Promise<Record<string, string>> {
    const ids: Record<string, string> = {};
    for (const [i, [name, value]] of Object.entries(embeddings).entries()) {
      ids[name] = randomUUID();
      await ragSql(
        `INSERT INTO rag_published_embeddings (id, document_id, source_type, source_id, embedding, model, created_at, text,
           page_number, paragraph_index, document_filename, document_display_name, document_payer, document_state,
           document_program, document_authority_level, document_effective_date, document_termination_date, content_sha, updated_at)
         VALUES ($1, $2, 'hierarchical', gen_random_uuid(), $3::jsonb, 'gemini-embedding-001', now() AT TIME ZONE 'utc', $4,
           1, $5, $6, $7, $8, $9, $10, $11, $12, $13, encode(sha256(convert_to($4, 'UTF8')), 'hex'), now() AT TIME ZONE 'utc')`,
        [ids[name], documentId, value, `${name}${INJECTED_TEXT}`, i, ...Object.values(INJECTED)],
      );
    }
    await ragSql(
      `INSERT INTO publish_events (id, document_id, published_at, published_by, rows_written)
       VALUES (gen_random_uuid(), $1, now() AT TIME ZONE 'utc', $2, $3)`,
      [documentId, "legacy'); DROP TABLE publish_events;--", Object.keys(embeddings).length],
    );
    return ids;
  }

  /** What `mobius resync --check --json --target vertex` reports for one document. */
  async function vertexCheck(documentId: string) {
    const check = await mobius(['resync', '--check', '--json', '--target', 'vertex', '--document', documentId], pipeline.env);
    const { targets } = JSON.parse(check.stdout) as {
      targets: {
        target: string;
        missing: number;
        extra: number;
        stale: number;
        invalid: number;
        documents: { document_id: string; reasons?: string[] }[];
      }[];
    };
    return { code: check.code, target: targets[0]!, reasons: targets[0]!.documents.find((d) => d.document_id === documentId)?.reasons };
  }

  // Two documents, because the check keeps at most three distinct reasons per document.
  const CASES: { name: string; embeddings: Record<string, string>; reasons: string[] }[] = [
    {
      name: 'a wrong dimension and a "NaN" element',
      embeddings: { good: JSON.stringify(embedding(1)), wrongDimension: JSON.stringify(embedding(2).slice(1)), nan: spoil(3, 7, 'NaN') },
      reasons: [`embedding has ${DIMENSIONS - 1} dimensions, expected ${DIMENSIONS}`, 'embedding[7] is "NaN", not a finite number'],
    },
    {
      name: '"Infinity" and "-Infinity" elements',
      embeddings: { good: JSON.stringify(embedding(4)), infinity: spoil(5, 11, 'Infinity'), negativeInfinity: spoil(6, 0, '-Infinity') },
      reasons: ['embedding[11] is "Infinity", not a finite number', 'embedding[0] is "-Infinity", not a finite number'],
    },
  ];

  for (const { name, embeddings, reasons } of CASES) {
    it(`lands injected metadata in Chat verbatim; ${name} are skipped in the index and reported invalid with the reason`, async () => {
      const documentId = randomUUID();
      const ids = await legacyPublish(documentId, embeddings);
      const bad = Object.keys(embeddings)
        .filter((k) => k !== 'good')
        .map((k) => ids[k]!);
      await reachesChatAndIndex(documentId, bad);

      const rows = await chatBytes(documentId);
      expect(rows).toHaveLength(Object.keys(embeddings).length);
      for (const row of rows) {
        for (const [column, value] of Object.entries(INJECTED)) expect({ column, bytes: row[column] }).toEqual({ column, bytes: hex(value) });
        expect(holdsBytes(row.text!, INJECTED_TEXT)).toBe(true);
      }

      const check = await vertexCheck(documentId);
      expect(check.code).toBe(0); // invalid rows are reported, never counted as drift
      expect(check.target).toMatchObject({ target: 'vertex', missing: 0, extra: 0, stale: 0, invalid: bad.length });
      expect([...(check.reasons ?? [])].sort()).toEqual([...reasons].sort());
      await normalPublishFlows(`sql-path-${bad.length}-${ids.good}`);
    });
  }
});

/** The text every legacy poison row carries after its name: an injection beside RTL, emoji and combining marks. */
const INJECTED_TEXT = "'; DROP TABLE chunk_embeddings;-- \u202Bשלום\u202C 👩‍⚕️ e\u0301";

describe('the bus', () => {
  const TOPIC_EVENTS = [
    [TOPICS.ragPublishEvents, EVENTS.ragPublishEvent.type, ['ingestor']],
    [TOPICS.landingIngested, EVENTS.landingIngested.type, ['mart-builder']],
    [TOPICS.martUpdated, EVENTS.martUpdated.type, ['chat-sync', 'vertex-sync']],
  ] as const;
  const POISON = {
    malformed: '{not json',
    notAnObject: '"just a string"',
    schemaInvalid: '{"document_id": 42}',
    wrongTypes: '{"run_id": [], "batches": "many", "publish_event_id": null}',
    nulAndSurrogate: '{"document_id": "a\\u0000b\\ud800"}',
    empty: '',
  };
  /** What each dead letter's reason says (the event type, then what is wrong). */
  const REASON_OF: Record<string, RegExp> = {
    malformed: /: body is not valid JSON$/,
    notAnObject: /: body .*expected object, received string/,
    schemaInvalid: /: (publish_event_id must be a uuid; document_id must be a uuid|batches .*expected array|run_id .*expected number)/,
    wrongTypes: /: (publish_event_id must be a uuid|batches .*received string|run_id .*received array)/,
    nulAndSurrogate: /: (publish_event_id must be a uuid; document_id must be a uuid|batches .*expected array|run_id .*expected number)/,
    empty: /: body is not valid JSON$/,
  };
  /** The poison's name, from the CloudEvents id the test gave it (`<name>-<topic>`). */
  const name = (message: { attributes: Record<string, string> }) => message.attributes[CE.id]!.split('-')[0]!;

  it('dead-letters malformed and schema-invalid messages on every topic with a reason; a normal publish still flows', async () => {
    for (const [topic, type] of TOPIC_EVENTS) {
      for (const [poison, body] of Object.entries(POISON)) {
        const attributes = { [CE.type]: type, [CE.specversion]: '1.0', [CE.source]: '/poison-corpus', [CE.id]: `${poison}-${topic}` };
        await bus.publish({ topic, id: `${poison}-${topic}`, data: new TextEncoder().encode(body), attributes });
      }
    }
    const expected = Object.keys(POISON).length;
    for (const [topic, , subscriptions] of TOPIC_EVENTS) {
      for (const subscription of subscriptions) {
        const dlq = `${topic}.dlq.${subscription}`;
        const dead = await waitFor(
          `${expected} dead letters on ${dlq}`,
          async () => {
            const messages = await bus.peek(dlq, 50);
            return messages.length >= expected ? messages : undefined;
          },
          FLOW_TIMEOUT_MS,
        );
        expect(dead!.map((m) => m.attributes[CE.id]).sort()).toEqual(
          Object.keys(POISON)
            .map((poison) => `${poison}-${topic}`)
            .sort(),
        );
        for (const message of dead!) {
          const where = `${dlq} ${message.attributes[CE.id]}`;
          expect(message.attributes[DEAD_LETTER_ATTRIBUTES.code], where).toBe('EVENT_INVALID');
          expect(message.attributes[DEAD_LETTER_ATTRIBUTES.reason], where).toMatch(REASON_OF[name(message)]!);
          expect(message.attributes[DEAD_LETTER_ATTRIBUTES.subscription], where).toBe(subscription);
        }
      }
    }
    await normalPublishFlows('bus-poison');
  });
});
