// infra/terraform as Terraform reads it, for static checks without a terraform binary: the catalogues
// (*.auto.tfvars.json) whole, and every .tf file through HashiCorp's HCL parser (@cdktf/hcl2json,
// compiled to wasm). The parser gives Terraform's JSON syntax: literals as JSON values, an expression
// as a string `${...}` (its source text), a template as a string with `${...}` parts, and a block as a
// list of bodies (`dynamic "x"` blocks under `dynamic`).
import { parse } from '@cdktf/hcl2json';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const TERRAFORM_DIR = 'infra/terraform';

/** A parsed block body: attribute name -> value, nested block name -> list of bodies. */
export type TerraformBody = Record<string, unknown>;

export interface TerraformBlock {
  type: string;
  name: string;
  file: string;
  body: TerraformBody;
}

export interface ServiceSpec {
  port: number;
  subscription: string | null;
  publishes: string[];
  bigquery: Record<string, string>;
  vertex: boolean;
  cloud_sql: boolean;
  secrets: Record<string, string>;
  cloud_run: {
    cpu_idle: boolean;
    timeout_seconds: number;
    ingress: string;
    min_instances: number;
    max_instances: number;
    concurrency: number;
    cpu: string;
    memory: string;
    env: Record<string, string>;
  };
}

export interface TerraformVars {
  pubsub_topics: string[];
  pubsub_subscriptions: Record<string, { topic: string; dead_letter_topic: string; consumer: string }>;
  pubsub_settings: Record<string, number | boolean>;
  services: Record<string, ServiceSpec>;
  secrets: Record<string, string>;
  bigquery_tables: Record<string, { dataset: string; description: string; fields: unknown[]; partition_field: string | null; clustering: string[] }>;
  bigquery_mart_lock: { table: string; ddl: string };
}

/** Every *.auto.tfvars.json, merged (Terraform loads them all, in name order). */
export function terraformVars(dir = TERRAFORM_DIR): TerraformVars {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.auto.tfvars.json'))
    .sort();
  return Object.assign({}, ...files.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')))) as TerraformVars;
}

interface ParsedFile {
  file: string;
  json: {
    resource?: Record<string, Record<string, TerraformBody[]>>;
    data?: Record<string, Record<string, TerraformBody[]>>;
    variable?: Record<string, TerraformBody[]>;
    locals?: TerraformBody[];
  };
}

/** Every .tf file of `dir`, parsed (once per directory). */
const parsedDirs = new Map<string, ParsedFile[]>();
const tfFiles = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.tf'))
    .sort();
async function parseDir(dir: string): Promise<ParsedFile[]> {
  return Promise.all(
    tfFiles(dir).map(async (file) => ({ file, json: (await parse(file, readFileSync(join(dir, file), 'utf8'))) as ParsedFile['json'] })),
  );
}
parsedDirs.set(TERRAFORM_DIR, await parseDir(TERRAFORM_DIR));

function parsed(dir: string): ParsedFile[] {
  const found = parsedDirs.get(dir);
  if (!found) throw new Error(`${dir} was not parsed (only ${TERRAFORM_DIR} is, when this module loads)`);
  return found;
}

/** Every `<kind> "<type>" "<name>" { ... }` block (`resource`, `data`) or `variable "<name>" { ... }`. */
export function blocks(kind: 'resource' | 'data' | 'variable', dir = TERRAFORM_DIR): TerraformBlock[] {
  const found: TerraformBlock[] = [];
  for (const { file, json } of parsed(dir)) {
    if (kind === 'variable') {
      for (const [name, bodies] of Object.entries(json.variable ?? {})) for (const body of bodies) found.push({ type: name, name, file, body });
      continue;
    }
    for (const [type, named] of Object.entries(json[kind] ?? {})) {
      for (const [name, bodies] of Object.entries(named)) for (const body of bodies) found.push({ type, name, file, body });
    }
  }
  return found;
}

/** Every `locals { ... }` of the .tf files, merged. */
export function terraformLocals(dir = TERRAFORM_DIR): TerraformBody {
  return Object.assign({}, ...parsed(dir).flatMap(({ json }) => json.locals ?? []));
}

/** The resources of one type. */
export function resources(type: string): TerraformBlock[] {
  return blocks('resource').filter((block) => block.type === type);
}

/** The one resource of that type and name. */
export function resource(type: string, name: string): TerraformBlock {
  const found = resources(type).find((block) => block.name === name);
  if (!found) throw new Error(`no resource ${type}.${name}`);
  return found;
}

/** The value of a block's attribute `name`, the first found depth first (the block's own before its nested blocks'). */
export function attribute(block: TerraformBlock, name: string): unknown {
  const search = (body: TerraformBody): unknown => {
    if (name in body && !isBodyList(body[name])) return body[name];
    for (const value of Object.values(body)) {
      for (const nested of nestedBodies(value)) {
        const found = search(nested);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  };
  return search(block.body);
}

/** The bodies of the nested block `path` (`dynamic.push_config`, `template.containers`), each level's first. */
export function nestedBlock(block: TerraformBlock, path: string): TerraformBody {
  let body = block.body;
  for (const step of path.split('.')) {
    const next = body[step];
    const first = Array.isArray(next) ? next[0] : next;
    if (!first || typeof first !== 'object') throw new Error(`${block.type}.${block.name} has no ${path}`);
    body = first as TerraformBody;
  }
  return body;
}

function isBodyList(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0 && value.every((v) => v !== null && typeof v === 'object' && !Array.isArray(v));
}

/** The block bodies inside a value: a list of bodies, or a map of them (`dynamic`). */
function nestedBodies(value: unknown): TerraformBody[] {
  if (isBodyList(value)) return value as TerraformBody[];
  if (value && typeof value === 'object' && !Array.isArray(value)) return Object.values(value).flatMap(nestedBodies);
  return [];
}

/** The source text of an expression attribute: `${var.x}` -> `var.x`; a literal or a template is not one (throws). */
export function expression(value: unknown): string {
  if (typeof value === 'string' && value.startsWith('${') && value.endsWith('}') && closingOfFirst(value) === value.length - 1)
    return value.slice(2, -1);
  throw new Error(`not a single expression: ${JSON.stringify(value)}`);
}

/** The index of the `}` closing the `${` at 0, braces inside quoted strings skipped. */
function closingOfFirst(text: string): number {
  let depth = 0;
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return -1;
}

/** A variable's default (a JSON value: strings, numbers, booleans, lists and maps). */
export function variableDefault(name: string): unknown {
  const variable = blocks('variable').find((block) => block.name === name);
  if (!variable) throw new Error(`no variable ${name}`);
  return variable.body.default;
}

/** A template `${var.topic_prefix}${each.value}~peek` with the given values for its references. */
export function renderName(template: unknown, values: Record<string, string>): string {
  if (typeof template !== 'string') throw new Error(`not a string template: ${JSON.stringify(template)}`);
  return template.replace(/\$\{([^}]+)\}/g, (_, ref: string) => {
    if (!(ref in values)) throw new Error(`no value for ${ref}`);
    return values[ref]!;
  });
}
