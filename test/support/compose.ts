// The compose file as `docker compose` would see it, without Docker: YAML merge keys, `${VAR...}`
// interpolation against a given environment, and profiles.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string } | string;
  command?: string[];
  environment?: Record<string, string>;
  profiles?: string[];
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string; required?: boolean }>;
  healthcheck?: { test: string[] };
  stop_grace_period?: string;
  restart?: string;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

const VARIABLE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/**
 * Compose's interpolation of one string: `$$` is a literal `$`; `${VAR}` and `$VAR`; `${VAR:-d}` /
 * `${VAR-d}` (default when unset or empty / unset); `${VAR:+r}` / `${VAR+r}` (replacement when set
 * and non-empty / set); `${VAR:?e}` / `${VAR?e}` (error). Unset variables read as empty.
 */
export function interpolate(text: string, vars: Record<string, string | undefined>): string {
  return text.replace(VARIABLE, (match, name?: string, op?: string, arg?: string, bare?: string) => {
    if (match === '$$') return '$';
    if (bare !== undefined) return vars[bare] ?? '';
    const value = vars[name!];
    const setNonEmpty = value !== undefined && value !== '';
    switch (op) {
      case undefined:
        return value ?? '';
      case ':-':
        return setNonEmpty ? value : arg!;
      case '-':
        return value !== undefined ? value : arg!;
      case ':+':
        return setNonEmpty ? arg! : '';
      case '+':
        return value !== undefined ? arg! : '';
      default:
        if (op.endsWith('?') && (op === '?' ? value === undefined : !setNonEmpty)) throw new Error(`${name}: ${arg}`);
        return value!;
    }
  });
}

function interpolateAll(node: unknown, vars: Record<string, string | undefined>): unknown {
  if (typeof node === 'string') return interpolate(node, vars);
  if (Array.isArray(node)) return node.map((item) => interpolateAll(item, vars));
  if (node !== null && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, interpolateAll(value, vars)]));
  }
  return node;
}

/** The compose file parsed (merge keys applied) and interpolated with `vars`, as the shell would give them. */
export function loadCompose(vars: Record<string, string | undefined>, path = 'docker-compose.yml'): ComposeFile {
  return interpolateAll(parse(readFileSync(path, 'utf8'), { merge: true }), vars) as ComposeFile;
}

/** The services that run with these COMPOSE_PROFILES: those without profiles, and those of an active one. */
export function activeServices(compose: ComposeFile, vars: Record<string, string | undefined>): string[] {
  const profiles = new Set(
    (vars.COMPOSE_PROFILES ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean),
  );
  return Object.entries(compose.services)
    .filter(([, service]) => !service.profiles || service.profiles.some((p) => profiles.has(p)))
    .map(([name]) => name);
}

/** The environment a container gets: compose's map, with empty values left as compose passes them. */
export function environmentOf(service: ComposeService): Record<string, string> {
  return Object.fromEntries(Object.entries(service.environment ?? {}).map(([key, value]) => [key, String(value)]));
}
