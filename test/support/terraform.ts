// A small reader of infra/terraform, enough for static checks without a terraform binary: the
// catalogues (*.auto.tfvars.json) whole, and of the .tf files the resource blocks (type, name, body
// text), top-level attributes and variable defaults. The .tf files keep to what this reads reliably:
// no heredocs, and no quotes inside `${...}` interpolations.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const TERRAFORM_DIR = 'infra/terraform';

export interface TerraformBlock {
  type: string;
  name: string;
  file: string;
  /** The text between the block's braces. */
  body: string;
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
  bigquery_tables: Record<
    string,
    { dataset: string; description: string; fields: unknown[]; partition_field: string | null; clustering: string[] }
  >;
  bigquery_mart_lock: { table: string; ddl: string };
}

/** Every *.auto.tfvars.json, merged (Terraform loads them all, in name order). */
export function terraformVars(dir = TERRAFORM_DIR): TerraformVars {
  const files = readdirSync(dir).filter((f) => f.endsWith('.auto.tfvars.json')).sort();
  return Object.assign({}, ...files.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')))) as TerraformVars;
}

/** The text of every .tf file, `#` comment lines dropped. */
export function terraformSources(dir = TERRAFORM_DIR): { file: string; text: string }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.tf'))
    .sort()
    .map((file) => ({
      file,
      text: readFileSync(join(dir, file), 'utf8')
        .split('\n')
        .filter((line) => !line.trim().startsWith('#'))
        .join('\n'),
    }));
}

/** The index just past the brace that closes the one at `open`, skipping quoted strings. */
function closingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i + 1;
  }
  throw new Error('unbalanced braces');
}

/** Every `<kind> "<type>" "<name>" { ... }` block (`resource`, `data`) or `variable "<name>" { ... }`. */
export function blocks(kind: 'resource' | 'data' | 'variable', dir = TERRAFORM_DIR): TerraformBlock[] {
  const header = kind === 'variable' ? /^variable "([^"]+)"() \{/gm : new RegExp(`^${kind} "([^"]+)" "([^"]+)" \\{`, 'gm');
  const found: TerraformBlock[] = [];
  for (const { file, text } of terraformSources(dir)) {
    for (const match of text.matchAll(header)) {
      const open = match.index + match[0].length - 1;
      const end = closingBrace(text, open);
      found.push({ type: match[1]!, name: match[2] || match[1]!, file, body: text.slice(open + 1, end - 1) });
    }
  }
  return found;
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

/** The expression of a block's attribute (`name = <expression>` on one line), at any depth. */
export function attribute(block: TerraformBlock, name: string): string | undefined {
  return new RegExp(`^\\s*${name}\\s*=\\s*(.+?)\\s*$`, 'm').exec(block.body)?.[1];
}

/** A variable's default, as JSON (strings, numbers, booleans and lists of them). */
export function variableDefault(name: string): unknown {
  const variable = blocks('variable').find((block) => block.name === name);
  if (!variable) throw new Error(`no variable ${name}`);
  const expression = attribute(variable, 'default');
  return expression === undefined ? undefined : JSON.parse(expression);
}

/** `"${var.topic_prefix}${each.value}~peek"` with the given values for its references. */
export function renderName(expression: string | undefined, values: Record<string, string>): string {
  if (!expression?.startsWith('"')) throw new Error(`not a string template: ${expression}`);
  return expression.slice(1, -1).replace(/\$\{([^}]+)\}/g, (_, ref: string) => {
    if (!(ref in values)) throw new Error(`no value for ${ref}`);
    return values[ref]!;
  });
}
