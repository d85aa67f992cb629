// `mobius migrate --env dev` creates, per module database, exactly the tables and columns the data contracts
// require (docs/contracts.md; docs/architecture.md, "Modules and their databases"). The expected tables below are written from
// the contracts, not from our SQL; where a contract is silent about a type, nullability or default: ANY ('*').
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mobius } from './support/cli.ts';
import { describeTable, listTables, moduleDatabases, queryDatabase } from './support/databases.ts';

const ANY = '*';
/** [column, udt type (varchar with its length), nullable, default (SQL literal without cast; null = none)] */
type Col = readonly [name: string, type: string, nullable: boolean | typeof ANY, def: string | null];

/** docs/contracts.md, "The published row": the published chunk row (RAG, warehouse landing, warehouse mart). */
const PUBLISHED_ROW: readonly Col[] = [
  ['id', 'uuid', false, null],
  ['document_id', 'uuid', false, null],
  ['source_type', 'varchar(20)', false, null],
  ['source_id', 'uuid', false, null],
  ['embedding', 'jsonb', true, null],
  ['model', 'varchar(100)', true, null],
  ['created_at', 'timestamp', false, null],
  ['text', 'text', false, "''"],
  ['page_number', 'int4', false, '0'],
  ['paragraph_index', 'int4', false, '0'],
  ['section_path', 'varchar(500)', false, "''"],
  ['chapter_path', 'varchar(500)', false, "''"],
  ['summary', 'text', false, "''"],
  ['document_filename', 'varchar(255)', false, "''"],
  ['document_display_name', 'varchar(255)', false, "''"],
  ['document_authority_level', 'varchar(100)', false, "''"],
  ['document_effective_date', 'varchar(20)', false, "''"],
  ['document_termination_date', 'varchar(20)', false, "''"],
  ['document_payer', 'varchar(100)', false, "''"],
  ['document_state', 'varchar(2)', false, "''"],
  ['document_program', 'varchar(100)', false, "''"],
  ['document_status', 'varchar(20)', false, "''"],
  ['document_review_status', 'varchar(20)', false, "''"],
  ['document_created_at', 'timestamp', true, null],
  ['document_reviewed_at', 'timestamp', true, null],
  ['document_reviewed_by', 'varchar(255)', true, null],
  ['content_sha', 'varchar(64)', false, null],
  ['updated_at', 'timestamp', false, null],
  ['source_verification_status', 'varchar(20)', false, "''"],
];
/** Section 1: RAG-only optional columns (no pgvector here, so no embedding_vec). */
const RAG_CHUNK_TAGS: readonly Col[] = [
  ['chunk_d_tags', 'jsonb', true, null],
  ['chunk_p_tags', 'jsonb', true, null],
  ['chunk_j_tags', 'jsonb', true, null],
];
/** Section 2: publish_events as the existing RAG app knows it. */
const PUBLISH_EVENTS: readonly Col[] = [
  ['id', 'uuid', false, null],
  ['document_id', 'uuid', false, null],
  ['published_at', 'timestamp', false, null],
  ['published_by', 'varchar(255)', true, null],
  ['rows_written', 'int4', false, '0'],
  ['notes', 'text', true, null],
  ['verification_passed', 'bool', true, null],
  ['verification_message', 'text', true, null],
];
/** docs/architecture.md, "Why it stays correct" 1: our backward-compatible outbox additions. */
const PUBLISH_EVENTS_OURS: readonly Col[] = [
  ['event_type', 'text', false, "'published'"],
  ['document_version', 'int8', true, null],
  ['relayed_at', 'timestamptz', true, null],
  ['relay_attempts', 'int4', false, '0'],
  ['relay_error', 'text', true, null],
  ['relay_quarantined_at', 'timestamptz', true, null],
];
/** Section 3: chat's published_rag_metadata = the 28 non-embedding columns, retyped as the contract says:
 * id/document_id/source_id uuid, source_type/content_sha text, created_at/updated_at timestamptz (these
 * NOT NULL), the rest nullable text/int/timestamptz; no defaults. */
const CHAT_REQUIRED = ['id', 'document_id', 'source_id', 'source_type', 'content_sha', 'created_at', 'updated_at'];
const CHAT_METADATA: readonly Col[] = PUBLISHED_ROW.filter(([name]) => name !== 'embedding').map(([name, type]) => [
  name,
  type === 'uuid' || type === 'int4' ? type : type === 'timestamp' ? 'timestamptz' : 'text',
  !CHAT_REQUIRED.includes(name),
  null,
]);
/** Section 3: chat's later additive columns. */
const CHAT_ADDITIONS: readonly Col[] = [
  ['instant_rag', 'bool', ANY, 'false'],
  ['verification_tier', 'text', ANY, "'verified'"],
  ['agent_scope_tags', 'jsonb', ANY, "'[]'"],
  ['expires_at', 'timestamptz', true, null],
];
/** Section 3: sync_runs (chat; the warehouse mobius_rag.sync_runs is the same table). */
const SYNC_RUNS: readonly Col[] = [
  ['run_id', 'uuid', false, null],
  ['started_at', 'timestamptz', false, null],
  ['finished_at', 'timestamptz', true, null],
  ['mart_rows_read', 'int4', true, null],
  ['postgres_rows_written', 'int4', true, null],
  ['vector_rows_upserted', 'int4', true, null],
  ['status', 'text', false, null],
  ['error_message', 'text', true, null],
];
/** docs/architecture.md, "Why it stays correct" 5: our backward-compatible sync_runs additions in chat (which sink, which run). */
const SYNC_RUNS_OURS: readonly Col[] = [
  ['sink', 'text', true, null],
  ['mart_run_id', 'int8', true, null],
];
/** Section 3: chat's 001 dev-clone tables (embedding is real[] without pgvector). */
const CHAT_DEV_CLONE: Record<string, readonly Col[]> = {
  documents: [
    ['id', 'uuid', false, ANY],
    ['name', ANY, ANY, ANY],
    ['source_type', ANY, ANY, "'document'"],
    ['created_at', ANY, ANY, ANY],
    ['metadata', 'jsonb', ANY, ANY],
  ],
  chunks: [
    ['id', 'uuid', false, ANY],
    ['document_id', 'uuid', ANY, ANY],
    ['text', ANY, ANY, ANY],
    ['page_number', ANY, ANY, ANY],
    ['start_offset', ANY, ANY, ANY],
    ['end_offset', ANY, ANY, ANY],
    ['created_at', ANY, ANY, ANY],
    ['metadata', 'jsonb', ANY, ANY],
  ],
  chunk_embeddings: [
    ['id', 'uuid', false, ANY],
    ['chunk_id', 'uuid', ANY, ANY],
    ['embedding', '_float4', ANY, ANY],
    ['model_id', ANY, ANY, ANY],
    ['created_at', ANY, ANY, ANY],
  ],
  facts: [
    ['id', 'uuid', false, ANY],
    ['document_id', 'uuid', ANY, ANY],
    ['chunk_id', 'uuid', ANY, ANY],
    ['fact_type', ANY, ANY, ANY],
    ['content', ANY, ANY, ANY],
    ['created_at', ANY, ANY, ANY],
    ['metadata', 'jsonb', ANY, ANY],
  ],
};
/** Section 6: the user database, table -> columns (key column first). */
const USER_TABLES: Record<string, readonly string[]> = {
  tenant: ['tenant_id', 'name', 'created_at'],
  role: ['role_id', 'name', 'created_at'],
  app_user: [
    'user_id',
    'tenant_id',
    'role_id',
    'email',
    'display_name',
    'status',
    'created_at',
    'last_login_at',
    'password_hash',
    'first_name',
    'preferred_name',
    'timezone',
    'locale',
    'onboarding_completed_at',
    'avatar_url',
  ],
  auth_provider_link: ['link_id', 'user_id', 'provider', 'provider_user_id', 'email', 'created_at', 'last_used_at'],
  user_session: ['session_id', 'user_id', 'refresh_token_hash', 'device_info', 'created_at', 'expires_at', 'revoked_at'],
  activity: [
    'activity_id',
    'activity_code',
    'label',
    'description',
    'quick_actions',
    'relevant_data_fields',
    'display_order',
    'is_active',
    'created_at',
  ],
  user_activity: ['user_id', 'activity_id', 'is_primary', 'added_at'],
  user_preference: [
    'preference_id',
    'user_id',
    'always_require_oversight',
    'notification_preferences',
    'tone',
    'greeting_enabled',
    'ai_experience_level',
    'autonomy_routine_tasks',
    'autonomy_sensitive_tasks',
    'display_preferences_json',
    'created_at',
    'updated_at',
  ],
};
/** Section 6: the defaults the contract names: [table, column, default]. */
const USER_DEFAULTS: ReadonlyArray<readonly [string, string, string]> = [
  ['app_user', 'status', "'active'"],
  ['app_user', 'timezone', "'America/New_York'"],
  ['app_user', 'locale', "'en-US'"],
  ['user_preference', 'tone', "'professional'"],
  ['user_preference', 'ai_experience_level', "'beginner'"],
  ['user_preference', 'autonomy_routine_tasks', "'confirm_first'"],
  ['user_preference', 'autonomy_sensitive_tasks', "'confirm_first'"],
];
const ACTIVITY_CODES = [
  'schedule_appointments',
  'check_in_patients',
  'verify_eligibility',
  'submit_claims',
  'rework_denials',
  'prior_authorization',
  'patient_outreach',
  'document_notes',
  'coordinate_referrals',
];
/** Section 7: every os table the contract names, by group. */
const OS_TABLES: Record<string, readonly string[]> = {
  identity: [
    'tenant',
    'role',
    'app_user',
    'application',
    'policy_config',
    'auth_provider_link',
    'user_session',
    'activity',
    'user_activity',
    'user_preference',
  ],
  patients: ['patient_identity_ref', 'patient_context', 'patient_snapshot', 'patient_ids'],
  decisions: ['invocation', 'session', 'system_response', 'mini_submission', 'assignment', 'event_log'],
  resolution: ['resolution_plan', 'plan_step', 'step_answer', 'plan_note', 'plan_modification'],
  evidence: ['raw_data', 'source_document', 'evidence', 'fact_source_link', 'plan_step_fact_link'],
  probabilityAndTasks: ['payment_probability', 'task_template', 'task_step', 'task_instance', 'step_instance'],
  scheduling: [
    'appointment',
    'appointment_reminder',
    'intake_form',
    'insurance_verification',
    'provider',
    'provider_schedule',
    'time_slot',
    'schedule_exception',
  ],
  orders: ['clinical_order', 'lab_order', 'imaging_order', 'medication_order', 'referral_order'],
  billing: ['patient_insurance', 'claim', 'charge', 'payment', 'patient_statement'],
  messages: ['message_thread', 'message', 'message_attachment', 'message_recipient', 'message_template'],
  sidecar: ['user_alert', 'milestone', 'milestone_history', 'milestone_substep', 'user_owned_task'],
};

// ---------------------------------------------------------------------------------------------------
type Columns = Awaited<ReturnType<typeof describeTable>>;
/** A column default without its trailing cast: `''::character varying` -> `''`. */
const bare = (def: string | null) => (def === null ? null : def.replace(/::[a-z ]+(\(\d+(,\d+)?\))?(\[\])?$/i, ''));
/** expect(actual).toBe(expected), with `label` (e.g. table.column) in the failure message. */
const expectIs = (label: string, actual: unknown, expected: unknown) => expect(`${label}: ${actual}`).toBe(`${label}: ${expected}`);
const show = (type: string, nullable: boolean, def: string | null) => `${type} ${nullable ? 'NULL' : 'NOT NULL'} DEFAULT ${def ?? '(none)'}`;

/** The table has exactly `expected` columns, each with its type, nullability and default (ANY = actual). */
function expectColumns(actual: Columns, expected: readonly Col[]): void {
  const got = Object.fromEntries([...actual].map(([n, c]) => [n, show(c.type, c.nullable, bare(c.default))]));
  const want = Object.fromEntries(
    expected.map(([n, type, nullable, def]) => {
      const a = actual.get(n);
      return [
        n,
        show(
          type === ANY ? (a?.type ?? '?') : type,
          nullable === ANY ? (a?.nullable ?? true) : nullable,
          def === ANY ? bare(a?.default ?? null) : def,
        ),
      ];
    }),
  );
  expect(got).toEqual(want);
}
/** Column lists of the table's unique (or only primary) indexes, plain columns, not partial. */
async function uniqueKeys(db: string, table: string, primaryOnly = false): Promise<string[][]> {
  const rows = await queryDatabase<{ cols: string[] }>(
    db,
    `SELECT array_agg(a.attname::text ORDER BY k.ord) AS cols
       FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
      WHERE i.indrelid = $1::regclass AND i.indisunique AND i.indpred IS NULL
        AND NOT (0 = ANY (i.indkey::int2[])) AND ($2::boolean IS FALSE OR i.indisprimary)
      GROUP BY i.indexrelid`,
    [table, primaryOnly],
  );
  return rows.map((row) => row.cols);
}
/** Every foreign key of the database as `table(cols) -> table[ ON DELETE CASCADE|SET NULL]`. */
async function foreignKeys(db: string): Promise<string[]> {
  const rows = await queryDatabase<{ fk: string }>(
    db,
    `SELECT c.conrelid::regclass::text || '(' ||
            (SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) ||
            ') -> ' || c.confrelid::regclass::text ||
            CASE c.confdeltype WHEN 'c' THEN ' ON DELETE CASCADE' WHEN 'n' THEN ' ON DELETE SET NULL' ELSE '' END AS fk
       FROM pg_constraint c WHERE c.contype = 'f' ORDER BY 1`,
  );
  return rows.map((row) => row.fk);
}
/** Whether some index of the public table has `column` in its definition (after USING). */
async function indexCovers(db: string, table: string, column: string): Promise<boolean> {
  const rows = await queryDatabase<{ indexdef: string }>(db, `SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = $1`, [
    table,
  ]);
  return rows.some(({ indexdef }) => new RegExp(`\\b${column}\\b`).test(indexdef.slice(indexdef.indexOf(' USING '))));
}

// ---------------------------------------------------------------------------------------------------
const dbs = moduleDatabases('schema');
const { rag, chat, user, os, warehouse } = dbs.names;

beforeAll(async () => {
  const result = await mobius(['migrate', '--env', 'dev'], dbs.env);
  expect(result.code, result.stderr).toBe(0);
}, 120_000);
afterAll(() => dbs.drop());

describe('rag database', () => {
  it('has exactly the 13 architecture tables plus document_versions', async () => {
    expect(await listTables(rag)).toEqual([
      'chunk_embeddings',
      'chunking_events',
      'chunking_jobs',
      'chunking_results',
      'document_pages',
      'document_versions',
      'documents',
      'embedding_jobs',
      'extracted_facts',
      'hierarchical_chunks',
      'llm_configs',
      'processing_errors',
      'publish_events',
      'rag_published_embeddings',
    ]);
  });
  it('rag_published_embeddings has exactly the 29 contract columns plus the optional chunk tags', async () => {
    expectColumns(await describeTable(rag, 'rag_published_embeddings'), [...PUBLISHED_ROW, ...RAG_CHUNK_TAGS]);
    expect(await uniqueKeys(rag, 'rag_published_embeddings', true)).toEqual([['id']]);
  });
  it('publish_events has the 8 contract columns plus our outbox additions, nothing else', async () => {
    expectColumns(await describeTable(rag, 'publish_events'), [...PUBLISH_EVENTS, ...PUBLISH_EVENTS_OURS]);
    expect(await uniqueKeys(rag, 'publish_events', true)).toEqual([['id']]);
  });
  it('accepts a publish_events insert naming only the 8 contract columns, as a published event', async () => {
    const id = randomUUID();
    await queryDatabase(
      rag,
      `INSERT INTO publish_events (id, document_id, published_at, published_by, rows_written,
       notes, verification_passed, verification_message)
       VALUES ($1, $2, now() AT TIME ZONE 'utc', 'legacy-app', 3, NULL, true, 'ok')`,
      [id, randomUUID()],
    );
    const rows = await queryDatabase(rag, 'SELECT event_type, document_version, relayed_at, relay_attempts FROM publish_events WHERE id = $1', [id]);
    expect(rows).toEqual([{ event_type: 'published', document_version: null, relayed_at: null, relay_attempts: 0 }]);
    await queryDatabase(rag, 'DELETE FROM publish_events WHERE id = $1', [id]);
  });
});

describe('chat database', () => {
  it("has exactly the dev-clone tables, published_rag_metadata, sync_runs, the sinks' state and reconciliation's", async () => {
    expect(await listTables(chat)).toEqual([
      'chunk_embeddings',
      'chunks',
      'documents',
      'facts',
      'mobius_document_versions',
      'mobius_freshness_samples',
      'mobius_reconcile_runs',
      'mobius_sink_state',
      'mobius_vector_ledger',
      'published_rag_metadata',
      'sync_runs',
    ]);
  });
  it("published_rag_metadata has the 28 contract columns plus chat's additive columns, nothing else", async () => {
    expectColumns(await describeTable(chat, 'published_rag_metadata'), [...CHAT_METADATA, ...CHAT_ADDITIONS]);
    expect(await uniqueKeys(chat, 'published_rag_metadata', true)).toEqual([['id']]);
  });
  it('published_rag_metadata has the contract indexes; materialized view published_rag_documents exists', async () => {
    for (const column of ['document_id', 'updated_at', 'document_payer', 'document_state', 'document_program', 'document_authority_level'])
      expect(await indexCovers(chat, 'published_rag_metadata', column), column).toBe(true);
    const sql = `SELECT matviewname FROM pg_matviews WHERE matviewname = 'published_rag_documents'`;
    expect(await queryDatabase(chat, sql)).toHaveLength(1);
  });
  it('sync_runs has the 8 contract columns plus our nullable sink additions, and an index on started_at desc', async () => {
    expectColumns(await describeTable(chat, 'sync_runs'), [...SYNC_RUNS, ...SYNC_RUNS_OURS]);
    const defs = await queryDatabase<{ indexdef: string }>(chat, `SELECT indexdef FROM pg_indexes WHERE tablename = 'sync_runs'`);
    expect(defs.some((d) => /\(started_at DESC\)/.test(d.indexdef))).toBe(true);
  });
  it.each(Object.entries(CHAT_DEV_CLONE))('dev-clone table %s has exactly its contract columns', async (table, cols) =>
    expectColumns(await describeTable(chat, table), cols),
  );
  it('dev-clone references: chunks -> documents on delete cascade, unique chunk_embeddings.chunk_id -> chunks', async () => {
    expect(await foreignKeys(chat)).toEqual(
      expect.arrayContaining([
        'chunks(document_id) -> documents ON DELETE CASCADE',
        expect.stringMatching(/^chunk_embeddings\(chunk_id\) -> chunks\b/),
      ]),
    );
    expect(await uniqueKeys(chat, 'chunk_embeddings')).toContainEqual(['chunk_id']);
  });
  it("chat's documented read queries run on the schema", async () => {
    const doc = randomUUID();
    const queries: Array<[string, unknown[]]> = [
      ['SELECT * FROM published_rag_metadata WHERE id::text = ANY($1)', [[randomUUID()]]],
      [
        `SELECT id, document_id, text, page_number, paragraph_index, section_path FROM published_rag_metadata
         WHERE source_type = 'hierarchical' AND document_payer = $1 AND document_state = $2
           AND document_program = $3 AND document_authority_level = $4
         ORDER BY page_number, paragraph_index, id`,
        ['Sunshine Health', 'FL', 'Medicaid', 'payer_policy'],
      ],
      [
        `SELECT id, text, page_number, paragraph_index FROM published_rag_metadata
         WHERE document_id = $1 AND paragraph_index BETWEEN $2::int - 2 AND $2::int + 2
           AND page_number BETWEEN $3::int - 1 AND $3::int + 1
         ORDER BY page_number, paragraph_index`,
        [doc, 4, 7],
      ],
      [
        `SELECT page_number, paragraph_index, text FROM published_rag_metadata WHERE document_id = $1
         ORDER BY page_number, paragraph_index`,
        [doc],
      ],
      [`SELECT * FROM published_rag_documents WHERE document_id = $1`, [doc]],
      [
        `SELECT document_id FROM published_rag_documents
         WHERE document_display_name ILIKE $1 OR document_filename ILIKE $1 OR document_payer ILIKE $1`,
        ['%manual%'],
      ],
    ];
    for (const [sql, params] of queries) expect(await queryDatabase(chat, sql, params), sql).toEqual([]);
  });
});

describe('user database', () => {
  it("has exactly the 8 contract tables in public, and the service's additions only in its user_ext schema", async () => {
    const tables = await listTables(user);
    expect(tables.filter((table) => !table.startsWith('user_ext.'))).toEqual(Object.keys(USER_TABLES).sort());
    expect(tables.filter((table) => table.startsWith('user_ext.'))).toEqual([
      'user_ext.agent_principal',
      'user_ext.auth_token',
      'user_ext.mail_outbox',
      'user_ext.tenant_settings',
      'user_ext.user_access_event',
      'user_ext.user_alias',
      'user_ext.user_capability',
      'user_ext.user_hesitations',
      'user_ext.user_org_membership',
      'user_ext.user_preference_audit',
    ]);
  });
  it.each(Object.entries(USER_TABLES))('%s has exactly its contract columns', async (table, columns) => {
    expect([...(await describeTable(user, table)).keys()].sort()).toEqual([...columns].sort());
  });
  it('uuid keys default to gen_random_uuid(); timestamps are without time zone, created/updated default now()', async () => {
    for (const [table, [key = '']] of Object.entries(USER_TABLES)) {
      const cols = await describeTable(user, table);
      const k = cols.get(key);
      if (table !== 'user_activity') expectIs(`${table}.${key}`, [k?.type, k?.default], 'uuid,gen_random_uuid()');
      for (const [name, col] of cols) {
        if (name.endsWith('_at')) expectIs(`${table}.${name}`, col.type, 'timestamp');
        if (/^(created|updated|added)_at$/.test(name)) expectIs(`${table}.${name} default`, col.default, 'now()');
      }
    }
  });
  it('has the defaults the contract names, and user_session.expires_at NOT NULL', async () => {
    for (const [table, column, def] of USER_DEFAULTS) {
      const col = (await describeTable(user, table)).get(column);
      expectIs(`${table}.${column} default`, bare(col?.default ?? null), def);
    }
    expect((await describeTable(user, 'user_session')).get('expires_at')?.nullable).toBe(false);
  });
  it('activity holds exactly the 9 seeded activity codes', async () => {
    const rows = await queryDatabase<{ activity_code: string }>(user, 'SELECT activity_code FROM activity');
    expect(rows.map((row) => row.activity_code).sort()).toEqual([...ACTIVITY_CODES].sort());
  });
  it("keys, uniques and references are the contract's", async () => {
    expect(await uniqueKeys(user, 'user_activity', true)).toEqual([['user_id', 'activity_id']]);
    expect(await uniqueKeys(user, 'role')).toContainEqual(['name']);
    expect(await uniqueKeys(user, 'activity')).toContainEqual(['activity_code']);
    expect(await uniqueKeys(user, 'user_preference')).toContainEqual(['user_id']);
    expect(await foreignKeys(user)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^app_user\(tenant_id\) -> tenant\b/),
        expect.stringMatching(/^app_user\(role_id\) -> role\b/),
        'auth_provider_link(user_id) -> app_user ON DELETE CASCADE',
        'user_session(user_id) -> app_user ON DELETE CASCADE',
      ]),
    );
    for (const column of ['email', 'tenant_id']) expect(await indexCovers(user, 'app_user', column), column).toBe(true);
  });
});

describe('os database', () => {
  it('has every table the contract names, 68 in all', async () => {
    const tables = await listTables(os);
    expect(
      Object.values(OS_TABLES)
        .flat()
        .filter((table) => !tables.includes(table)),
    ).toEqual([]);
    expect(tables).toHaveLength(68);
  });
  it("has only singular table names (besides the contract's patient_ids)", async () => {
    const plural = (await listTables(os)).filter((t) => /s$/.test(t) && !/(ss|us|is)$/.test(t) && t !== 'patient_ids');
    expect(plural).toEqual([]);
  });
  it('policy_config is keyed by (tenant_id, version); patient_ids is unique on (id_type, id_value)', async () => {
    expect(await uniqueKeys(os, 'policy_config', true)).toEqual([['tenant_id', 'version']]);
    expect(await uniqueKeys(os, 'patient_ids')).toContainEqual(['id_type', 'id_value']);
  });
  it('billing money columns are numeric(10,2)', async () => {
    const rows = await queryDatabase<{ table_name: string; column_name: string; p: number; s: number }>(
      os,
      `SELECT table_name, column_name, numeric_precision AS p, numeric_scale AS s FROM information_schema.columns
        WHERE table_schema = 'public' AND data_type = 'numeric'
          AND table_name IN ('claim', 'charge', 'payment', 'patient_statement') ORDER BY 1, 2`,
    );
    const tables = [...new Set(rows.map((row) => row.table_name))].sort();
    expect(tables).toEqual(['charge', 'claim', 'patient_statement', 'payment']);
    for (const row of rows) expectIs(`${row.table_name}.${row.column_name}`, `(${row.p},${row.s})`, '(10,2)');
  });
  it.each(Object.keys(USER_TABLES))('identity table %s has the same shape as in the user database', async (table) => {
    // Same column names, types, nullability and defaults: os and user share these rows' meaning.
    const osShape = Object.fromEntries(await describeTable(os, table));
    expect(osShape).toEqual(Object.fromEntries(await describeTable(user, table)));
  });
});

describe('warehouse database', () => {
  it('has exactly the landing and mart tables', async () => {
    expect(await listTables(warehouse)).toEqual([
      'landing_rag.landing_batches',
      'landing_rag.rag_published_embeddings',
      'mobius_rag.mart_documents',
      'mobius_rag.mart_runs',
      'mobius_rag.merged_batches',
      'mobius_rag.published_rag_embeddings',
      'mobius_rag.sync_runs',
    ]);
  });
  it.each([
    ['landing_rag', 'rag_published_embeddings'],
    ['mobius_rag', 'published_rag_embeddings'],
  ])('%s.%s has the 29 contract columns typed as in rag, but the embedding as float32 bytes', async (schema, table) => {
    const pick = (cols: Columns) => Object.fromEntries(PUBLISHED_ROW.map(([name]) => [name, cols.get(name)?.type ?? 'missing']));
    // The local warehouse's documented departure (README, "The warehouse"): bytea of float32, not jsonb.
    expect(pick(await describeTable(warehouse, table, schema))).toEqual({
      ...pick(await describeTable(rag, 'rag_published_embeddings')),
      embedding: 'bytea',
    });
  });
  it("mobius_rag.sync_runs has the same columns as chat's sync_runs", async () => {
    expectColumns(await describeTable(warehouse, 'sync_runs', 'mobius_rag'), SYNC_RUNS);
  });
});

describe('no cross-module foreign keys', () => {
  const touching = (fks: string[], tables: string) => fks.filter((fk) => new RegExp(`(^|-> )(${tables})\\b`).test(fk));
  it('rag: rag_published_embeddings and publish_events have no foreign keys at all', async () => {
    expect(touching(await foreignKeys(rag), 'rag_published_embeddings|publish_events')).toEqual([]);
  });
  it('chat: published_rag_metadata and sync_runs (ids of other modules) have no foreign keys', async () => {
    expect(touching(await foreignKeys(chat), 'published_rag_metadata|sync_runs')).toEqual([]);
  });
});
