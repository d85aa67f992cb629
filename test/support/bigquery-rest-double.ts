// A test double of the BigQuery v2 REST API on loopback: it records every request the real
// @google-cloud/bigquery client sends and answers the endpoints the warehouse adapter uses (datasets
// and tables get/insert/patch, tabledata.insertAll, jobs.insert, jobs.get, getQueryResults). It does
// NOT run SQL: a test scripts each query's result (rows, errors, how long the job stays RUNNING, page
// size) and each insertAll's per-row insertErrors. Where BigQuery checks schemas, it checks them as
// BigQuery does: tables.patch refuses a dropped, retyped or tightened column and an added REQUIRED one
// (relaxing REQUIRED to NULLABLE and adding NULLABLE columns are allowed); insertAll into a table with a
// schema refuses a row with an unknown field or without a REQUIRED one (`invalid`, the rest `stopped`)
// and keeps the rows it accepted (`rowsOf`).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** The path below `/bigquery/v2`, e.g. `/projects/p/jobs`. */
  path: string;
  query: Record<string, string>;
  body: any;
  authorization: string | undefined;
}

/**
 * A query parameter as the job carried it: its type (`INT64`, `STRING`, `ARRAY<STRING>` ...) and its
 * value exactly as sent (the client sends INT64 values as JSON numbers).
 */
export interface ReceivedParam {
  type: string;
  value: unknown;
}

export interface ReceivedQuery {
  jobId: string;
  sql: string;
  params: Record<string, ReceivedParam>;
  parameterMode: string | undefined;
  useLegacySql: unknown;
  location: string | undefined;
}

export interface ScriptedField {
  name: string;
  type: string;
  mode?: 'NULLABLE' | 'REQUIRED' | 'REPEATED';
}

export interface ScriptedResult {
  fields?: ScriptedField[];
  rows?: Record<string, unknown>[];
  /** How many jobs.get polls answer RUNNING before DONE (default 1: never DONE on the first poll). */
  runningPolls?: number;
  /** Most rows per getQueryResults page (further capped by the request's maxResults). */
  pageRows?: number;
  /** The job ends DONE with this errorResult. */
  error?: { reason: string; message: string };
  dmlAffectedRows?: number;
}

export type QueryResponder = (query: ReceivedQuery) => ScriptedResult | undefined;

export interface ReceivedInsert {
  /** `dataset.table`. */
  table: string;
  rows: Array<{ insertId: string; json: Record<string, unknown> }>;
  skipInvalidRows: unknown;
}

export type InsertError = { index: number; errors: Array<{ reason: string; message: string }> };
export type InsertResponder = (insert: ReceivedInsert, attempt: number) => InsertError[] | undefined;

interface JobState {
  query: ReceivedQuery;
  result: ScriptedResult;
  polls: number;
}

const send = (response: ServerResponse, status: number, body: unknown) => {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
};

const apiError = (status: number, reason: string, message: string) => ({
  error: { code: status, message, errors: [{ reason, message }] },
});

function decodeParams(parameters: any[] | undefined): Record<string, ReceivedParam> {
  const params: Record<string, ReceivedParam> = {};
  for (const parameter of parameters ?? []) {
    const { type, arrayType } = parameter.parameterType;
    const value = parameter.parameterValue ?? {};
    params[parameter.name] = {
      type: arrayType ? `ARRAY<${arrayType.type}>` : type,
      value: value.arrayValues ? value.arrayValues.map((entry: any) => entry.value) : (value.value ?? null),
    };
  }
  return params;
}

function encodeScalar(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : String(value);
}

function encodeRow(fields: ScriptedField[], row: Record<string, unknown>) {
  return {
    f: fields.map((field) => {
      const value = row[field.name];
      if (field.mode === 'REPEATED') return { v: ((value as unknown[] | null) ?? []).map((item) => ({ v: encodeScalar(item) })) };
      return { v: encodeScalar(value) };
    }),
  };
}

/** Where the double keeps a stored row's insert id (not a column). */
const INSERT_ID = '__insertId';
const TYPE_ALIASES: Record<string, string> = { INTEGER: 'INT64', FLOAT: 'FLOAT64', BOOLEAN: 'BOOL' };
const typeOf = (field: ScriptedField) => TYPE_ALIASES[field.type] ?? field.type;
const modeOf = (field: ScriptedField) => field.mode ?? 'NULLABLE';

/** Why BigQuery refuses to change `before` into `after`, or null when it allows it. */
function schemaChangeRefusal(key: string, before: ScriptedField[], after: ScriptedField[]): string | null {
  const next = new Map(after.map((field) => [field.name, field]));
  const prefix = `Provided Schema does not match Table ${key}.`;
  for (const field of before) {
    const changed = next.get(field.name);
    if (!changed) return `${prefix} Field ${field.name} is missing in new schema`;
    if (typeOf(changed) !== typeOf(field)) return `${prefix} Field ${field.name} has changed type from ${typeOf(field)} to ${typeOf(changed)}`;
    const [from, to] = [modeOf(field), modeOf(changed)];
    if (from !== to && !(from === 'REQUIRED' && to === 'NULLABLE')) return `${prefix} Field ${field.name} has changed mode from ${from} to ${to}`;
  }
  const known = new Set(before.map((field) => field.name));
  const required = after.find((field) => !known.has(field.name) && modeOf(field) === 'REQUIRED');
  return required ? `${prefix} Cannot add required fields to an existing schema. (field: ${required.name})` : null;
}

/** insertAll's per-row errors for rows the schema refuses: the refused rows `invalid`, the others `stopped`. */
function schemaErrors(fields: ScriptedField[] | undefined, rows: any[], ignoreUnknown: boolean): InsertError[] {
  if (!fields) return [];
  const byName = new Map(fields.map((field) => [field.name, field]));
  const reasons = rows.map((row) => {
    const json = row.json ?? {};
    const unknown = Object.keys(json).find((name) => !byName.has(name));
    if (unknown && !ignoreUnknown) return `no such field: ${unknown}.`;
    const missing = fields.find((field) => modeOf(field) === 'REQUIRED' && (json[field.name] === undefined || json[field.name] === null));
    return missing ? `Missing required field: ${missing.name}.` : null;
  });
  if (reasons.every((reason) => reason === null)) return [];
  return reasons.map((reason, index) => ({
    index,
    errors: [reason === null ? { reason: 'stopped', message: '' } : { reason: 'invalid', message: reason }],
  }));
}

export class BigQueryRestDouble {
  readonly requests: RecordedRequest[] = [];
  readonly queries: ReceivedQuery[] = [];
  readonly inserts: ReceivedInsert[] = [];
  /** `project.dataset` and `project.dataset.table` resources that exist. */
  readonly datasets = new Map<string, any>();
  readonly tables = new Map<string, any>();
  /** Table ids whose next tables.insert answers 409 (created by "another instance" meanwhile). */
  readonly conflictOnCreate = new Set<string>();
  private readonly responders: QueryResponder[] = [];
  private readonly insertResponders: InsertResponder[] = [];
  private readonly jobs = new Map<string, JobState>();
  private readonly insertAttempts = new Map<string, number>();
  /** Rows each `project.dataset.table` accepted through insertAll, in order. */
  private readonly storedRows = new Map<string, Record<string, unknown>[]>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<BigQueryRestDouble> {
    let double: BigQueryRestDouble | undefined;
    const server = createServer((request, response) => void double?.handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    double = new BigQueryRestDouble(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return double;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Answers queries: the first responder returning a result wins; otherwise an empty result. */
  onQuery(responder: QueryResponder): void {
    this.responders.push(responder);
  }

  /** Scripts insertErrors of insertAll requests (`attempt` counts requests to that table from 1). */
  onInsert(responder: InsertResponder): void {
    this.insertResponders.push(responder);
  }

  /** The requests with this method whose path matches. */
  requestsTo(method: string, path: RegExp): RecordedRequest[] {
    return this.requests.filter((request) => request.method === method && path.test(request.path));
  }

  /** The rows `project.dataset.table` accepted through insertAll. */
  rowsOf(table: string): Record<string, unknown>[] {
    return this.storedRows.get(table) ?? [];
  }

  /** The insertAll requests received for `dataset.table`. */
  insertsInto(table: string): ReceivedInsert[] {
    return this.inserts.filter((insert) => insert.table === table);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const url = new URL(request.url ?? '/', this.url);
    const text = Buffer.concat(chunks).toString('utf8');
    const recorded: RecordedRequest = {
      method: request.method ?? 'GET',
      path: url.pathname.replace(/^\/bigquery\/v2/, ''),
      query: Object.fromEntries(url.searchParams),
      body: text ? JSON.parse(text) : undefined,
      authorization: request.headers.authorization,
    };
    this.requests.push(recorded);
    const [status, body] = this.route(recorded);
    send(response, status, body);
  }

  private route(request: RecordedRequest): [number, unknown] {
    const { method, path } = request;
    let match: RegExpMatchArray | null;
    if ((match = path.match(/^\/projects\/([^/]+)\/datasets\/([^/]+)\/tables\/([^/]+)\/insertAll$/))) {
      return this.insertAll(`${match[1]}.${match[2]}.${match[3]}`, `${match[2]}.${match[3]}`, request.body);
    }
    if ((match = path.match(/^\/projects\/([^/]+)\/datasets\/([^/]+)\/tables\/([^/]+)$/)) && method === 'GET') {
      return this.getResource(this.tables, `${match[1]}.${match[2]}.${match[3]}`, 'Table');
    }
    if ((match = path.match(/^\/projects\/([^/]+)\/datasets\/([^/]+)\/tables\/([^/]+)$/)) && (method === 'PATCH' || method === 'PUT')) {
      return this.patchTable(`${match[1]}.${match[2]}.${match[3]}`, request.body);
    }
    if ((match = path.match(/^\/projects\/([^/]+)\/datasets\/([^/]+)\/tables$/)) && method === 'POST') {
      return this.createTable(`${match[1]}.${match[2]}`, request.body);
    }
    if ((match = path.match(/^\/projects\/([^/]+)\/datasets\/([^/]+)$/)) && method === 'GET') {
      return this.getResource(this.datasets, `${match[1]}.${match[2]}`, 'Dataset');
    }
    if ((match = path.match(/^\/projects\/([^/]+)\/datasets$/)) && method === 'POST') {
      return this.create(this.datasets, `${match[1]}.${request.body.datasetReference.datasetId}`, request.body);
    }
    if ((match = path.match(/^\/projects\/([^/]+)\/jobs$/)) && method === 'POST') return this.insertJob(request.body);
    if ((match = path.match(/^\/projects\/([^/]+)\/jobs\/([^/]+)$/)) && method === 'GET') return this.getJob(match[2] as string);
    if ((match = path.match(/^\/projects\/([^/]+)\/queries\/([^/]+)$/)) && method === 'GET') {
      return this.getQueryResults(match[2] as string, request.query);
    }
    return [404, apiError(404, 'notFound', `the double does not serve ${method} ${path}`)];
  }

  private getResource(store: Map<string, any>, key: string, kind: string): [number, unknown] {
    const resource = store.get(key);
    return resource ? [200, resource] : [404, apiError(404, 'notFound', `Not found: ${kind} ${key}`)];
  }

  private create(store: Map<string, any>, key: string, body: any): [number, unknown] {
    if (store.has(key)) return [409, apiError(409, 'duplicate', `Already Exists: ${key}`)];
    store.set(key, body);
    return [200, body];
  }

  private createTable(dataset: string, body: any): [number, unknown] {
    const tableId = body.tableReference.tableId;
    if (this.conflictOnCreate.delete(tableId)) this.tables.set(`${dataset}.${tableId}`, body);
    return this.create(this.tables, `${dataset}.${tableId}`, body);
  }

  private insertAll(key: string, table: string, body: any): [number, unknown] {
    if (!this.tables.has(key)) return [404, apiError(404, 'notFound', `Not found: Table ${key}`)];
    const insert: ReceivedInsert = { table, rows: body.rows, skipInvalidRows: body.skipInvalidRows };
    this.inserts.push(insert);
    const attempt = (this.insertAttempts.get(table) ?? 0) + 1;
    this.insertAttempts.set(table, attempt);
    for (const responder of this.insertResponders) {
      const insertErrors = responder(insert, attempt);
      if (insertErrors && insertErrors.length > 0) return [200, { kind: 'bigquery#tableDataInsertAllResponse', insertErrors }];
    }
    const refused = schemaErrors(this.tables.get(key)?.schema?.fields, body.rows, body.ignoreUnknownValues === true);
    if (refused.length > 0) return [200, { kind: 'bigquery#tableDataInsertAllResponse', insertErrors: refused }];
    const stored = this.storedRows.get(key) ?? [];
    const seen = new Set(stored.map((row) => row[INSERT_ID]));
    for (const row of body.rows) {
      // BigQuery's best-effort dedup by insert id: the double's window never ends.
      if (row.insertId && seen.has(row.insertId)) continue;
      stored.push({ ...row.json, [INSERT_ID]: row.insertId });
      seen.add(row.insertId);
    }
    this.storedRows.set(key, stored);
    return [200, { kind: 'bigquery#tableDataInsertAllResponse' }];
  }

  /** tables.patch/update of the schema, with BigQuery's rules (only additive NULLABLE or relaxing). */
  private patchTable(key: string, body: any): [number, unknown] {
    const table = this.tables.get(key);
    if (!table) return [404, apiError(404, 'notFound', `Not found: Table ${key}`)];
    if (body.schema?.fields) {
      const refusal = schemaChangeRefusal(key, table.schema?.fields ?? [], body.schema.fields);
      if (refusal) return [400, apiError(400, 'invalid', refusal)];
    }
    const updated = { ...table, ...body, etag: `etag-${Date.now()}-${Math.random()}` };
    this.tables.set(key, updated);
    return [200, updated];
  }

  private insertJob(body: any): [number, unknown] {
    const reference = { ...body.jobReference, location: body.jobReference.location ?? 'US' };
    const configuration = body.configuration.query;
    const query: ReceivedQuery = {
      jobId: reference.jobId,
      sql: configuration.query,
      params: decodeParams(configuration.queryParameters),
      parameterMode: configuration.parameterMode,
      useLegacySql: configuration.useLegacySql,
      location: body.jobReference.location,
    };
    this.queries.push(query);
    const result = this.responders.map((responder) => responder(query)).find((answer) => answer !== undefined) ?? {};
    this.jobs.set(reference.jobId, { query, result, polls: 0 });
    return [200, { kind: 'bigquery#job', jobReference: reference, configuration: body.configuration, status: { state: 'RUNNING' } }];
  }

  private getJob(jobId: string): [number, unknown] {
    const job = this.jobs.get(jobId);
    if (!job) return [404, apiError(404, 'notFound', `Not found: Job ${jobId}`)];
    job.polls += 1;
    const reference = { jobId, location: job.query.location ?? 'US' };
    if (job.polls <= (job.result.runningPolls ?? 1)) return [200, { jobReference: reference, status: { state: 'RUNNING' } }];
    const { error, dmlAffectedRows } = job.result;
    const status = error ? { state: 'DONE', errorResult: error, errors: [error] } : { state: 'DONE' };
    const statistics = { query: dmlAffectedRows === undefined ? {} : { numDmlAffectedRows: String(dmlAffectedRows) } };
    return [200, { jobReference: reference, status, statistics }];
  }

  private getQueryResults(jobId: string, query: Record<string, string>): [number, unknown] {
    const job = this.jobs.get(jobId);
    if (!job) return [404, apiError(404, 'notFound', `Not found: Job ${jobId}`)];
    const { fields, rows = [], pageRows = Infinity } = job.result;
    const base = { kind: 'bigquery#getQueryResultsResponse', jobReference: { jobId }, jobComplete: true };
    if (!fields) return [200, { ...base, totalRows: '0' }];
    const start = Number(query.pageToken ?? 0);
    const size = Math.min(pageRows, Number(query.maxResults ?? Infinity));
    const page = rows.slice(start, start + size);
    const next = start + page.length < rows.length ? { pageToken: String(start + page.length) } : {};
    return [200, { ...base, schema: { fields }, rows: page.map((row) => encodeRow(fields, row)), totalRows: String(rows.length), ...next }];
  }
}
