import { maskUrl, type Env } from '@mobius/config';
import { shownPath } from '../dev/report.ts';
import type { CliIO } from '../io.ts';
import type { ResolvedCliEnv, ValueSource } from './resolve-env.ts';
import { DEV_VARIABLE_GROUPS, type DevVariableGroup } from './variables.ts';

/** One thing a command acts on: `rag postgresql://u:***@h/db`, and the variables that chose it. */
export interface TargetItem {
  label: string;
  /** Printed masked (maskUrl) when it is a URL. */
  value: string;
  /** The variables that decide it (for "where from"); none: a command-line flag gave it. */
  variables: readonly string[];
}

/** Module -> the group of variables that names its database. */
const DATABASE_GROUPS: Record<string, DevVariableGroup> = {
  rag: 'ragDatabase',
  'rag (read)': 'ragRead',
  chat: 'chatDatabase',
  user: 'userDatabase',
  os: 'osDatabase',
  warehouse: 'warehouse',
};

/** A module's database: `chat postgresql://postgres:***@127.0.0.1:54329/mobius_chat`. */
export function databaseItem(label: keyof typeof DATABASE_GROUPS | string, url: string): TargetItem {
  return { label, value: url, variables: DEV_VARIABLE_GROUPS[DATABASE_GROUPS[label] ?? 'ragDatabase'] };
}

/** A service's URL: `rag API http://localhost:8001`; `variable` undefined: a flag gave it. */
export function serviceItem(label: string, url: string, variable: string | undefined): TargetItem {
  return { label, value: url, variables: variable ? [variable] : [] };
}

/** The bus: `bus nats nats://127.0.0.1:4222 (prefix "t_")`, `bus pubsub my-project (emulator localhost:8085)`, `bus memory`. */
export function busItem(env: Env): TargetItem {
  const kind = env.BUS || 'nats';
  const prefix = ` (topic prefix ${JSON.stringify(env.TOPIC_PREFIX ?? '')})`;
  const where =
    kind === 'nats'
      ? ` ${env.NATS_URL || 'nats://127.0.0.1:4222'}${prefix}`
      : kind === 'pubsub'
        ? ` ${env.PUBSUB_PROJECT || env.GOOGLE_CLOUD_PROJECT || '(no project)'}${env.PUBSUB_EMULATOR_HOST ? ` on the emulator ${env.PUBSUB_EMULATOR_HOST}` : ''}${prefix}`
        : ' (in process: other processes cannot reach it)';
  return { label: 'bus', value: `${kind}${where}`, variables: DEV_VARIABLE_GROUPS.bus };
}

/** The vector index: `index local http://localhost:8015`, `index vertex <id>`, `index memory`. */
export function indexItem(env: Env): TargetItem {
  const kind = env.VECTOR_INDEX || 'memory';
  const where =
    kind === 'local'
      ? ` ${env.VECTOR_INDEX_URL ?? ''}`
      : kind === 'vertex'
        ? ` ${env.VERTEX_INDEX_ID ?? ''}`
        : ' (in process: other processes cannot reach it)';
  return { label: 'index', value: `${kind}${where}`, variables: DEV_VARIABLE_GROUPS.vectorIndex };
}

/** `value` with the password of every URL in it masked; URLs without one stay as written. */
function masked(value: string): string {
  return value.replace(/[a-z][a-z0-9+.-]*:\/\/\S+/gi, (url) => (/@|password=/.test(url) ? maskUrl(url) : url));
}

/** `from the environment`, `from the running mobius dev (pid 42, .mobius)`, `defaults (no mobius dev running in .mobius)`. */
function origin(resolved: ResolvedCliEnv, sources: Set<ValueSource>): string {
  const parts: string[] = [];
  const { dev } = resolved;
  if (sources.has('environment')) parts.push('the environment');
  if (sources.has('mobius dev') && dev.state === 'running')
    parts.push(`the running mobius dev (pid ${dev.runtime.pid}, ${shownPath(resolved.dataDir)})`);
  if (sources.has('default')) {
    const why =
      dev.state === 'stale'
        ? `${shownPath(dev.path)} is stale: pid ${dev.pid} is gone`
        : dev.state === 'absent'
          ? `no mobius dev running in ${shownPath(resolved.dataDir)}`
          : 'not set by the environment or mobius dev';
    parts.push(`defaults (${why})`);
  }
  return parts.length === 0 ? '' : `; from ${parts.join(', ')}`;
}

/**
 * The one line every command prints (on stderr, so `--json` on stdout stays parseable) naming what it
 * acts on and where that came from: `mobius resync: rag (read) postgresql://postgres:***@127.0.0.1:54329/mobius_rag,
 * chat ..., index memory (...); from the running mobius dev (pid 42, .mobius)`. Passwords are masked.
 */
export function targetLine(command: string, resolved: ResolvedCliEnv, items: TargetItem[]): string {
  const sources = new Set<ValueSource>();
  for (const item of items) {
    if (item.variables.length === 0) continue; // given on the command line
    const set = item.variables.filter((name) => resolved.sourceOf(name) !== 'default');
    if (set.length === 0) sources.add('default');
    for (const name of set) sources.add(resolved.sourceOf(name));
  }
  const what = items.map((item) => `${item.label} ${masked(item.value)}`).join(', ');
  return `mobius ${command}: ${what}${origin(resolved, sources)}`;
}

/** Prints `targetLine` on stderr. */
export function announceTarget(io: CliIO, command: string, resolved: ResolvedCliEnv, items: TargetItem[]): void {
  io.err(targetLine(command, resolved, items));
}
