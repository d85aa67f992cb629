// The security suite's probes (docs/security.md): what an attacker on the network sends to every route
// of a service app, and what each answer must be. Routes are enumerated from the app itself
// (routesOf, recorded by buildServiceApp), so a route added later is probed without editing this file.
import { epochSeconds, forgeToken } from '@mobius/auth/testing';
import { routesOf } from '@mobius/service';
import type { FastifyInstance } from 'fastify';

/** What the probes need to know about one service. */
export interface ProbeTarget {
  name: string;
  app: FastifyInstance;
  /** The JWT secret its people tokens are checked with (forgeries are signed with it, or not). */
  jwtSecret: string;
  /** A credential it admits, for the probes that must get past the guard. */
  goodAuthorization: string;
  /** Routes that need no credential (health and metrics, the console's sign-in pages). */
  open: (method: string, url: string) => boolean;
  /** A concrete path for a route pattern (`/documents/:id` -> `/documents/<uuid>`). */
  path: (url: string) => string;
  /** A valid JSON body for the route, whose `field` is a string the probes poison; undefined: no body. */
  body?: (method: string, url: string) => { payload: Record<string, unknown>; field: string } | undefined;
  /** Largest body the app takes. */
  bodyLimitBytes: number;
}

/** One answer, for the report and the assertions. */
export interface ProbeResult {
  service: string;
  route: string;
  probe: string;
  status: number;
  body: string;
}

const USER = '5b0f5c1e-8d4c-4a8e-9a57-0a2b3c4d5e6f';
const TENANT = '00000000-0000-0000-0000-000000000001';

/** The tokens every guarded route must refuse with 401, by name. */
export function refusedCredentials(jwtSecret: string): Record<string, string> {
  const claims = (extra: Record<string, unknown> = {}) => ({ sub: USER, tenant_id: TENANT, exp: epochSeconds() + 600, type: 'access', ...extra });
  return {
    'no credential': '',
    'forged (another secret)': `Bearer ${forgeToken(claims(), { secret: `${jwtSecret}-not` })}`,
    expired: `Bearer ${forgeToken(claims({ exp: epochSeconds() - 5 }), { secret: jwtSecret })}`,
    'alg none': `Bearer ${forgeToken(claims(), { header: { alg: 'none', typ: 'JWT' } })}`,
    'aud-carrying': `Bearer ${forgeToken(claims({ aud: 'mobius-chat' }), { secret: jwtSecret })}`,
    'refresh type': `Bearer ${forgeToken({ sub: USER, session_id: 's', exp: epochSeconds() + 600, type: 'refresh' }, { secret: jwtSecret })}`,
    'exp 1e308': `Bearer ${forgeToken(claims({ exp: 1e308 }), { secret: jwtSecret })}`,
    'wrong service token': 'Bearer not-the-service-token-but-just-as-long-as-one',
    'Basic scheme': 'Basic dXNlcjpwYXNz',
  };
}

type Send = (probe: string, options: { method: string; url: string; headers?: Record<string, string>; payload?: string }) => Promise<ProbeResult>;

function sender(target: ProbeTarget, route: string, results: ProbeResult[]): Send {
  return async (probe, options) => {
    const response = await target.app.inject({
      method: options.method as 'GET',
      url: options.url,
      headers: options.headers ?? {},
      ...(options.payload === undefined ? {} : { payload: options.payload }),
    });
    const result = { service: target.name, route, probe, status: response.statusCode, body: response.body.slice(0, 300) };
    results.push(result);
    return result;
  };
}

/** The credential probes of one guarded route: each refused credential, and the good one gets past the guard. */
async function credentialProbes(target: ProbeTarget, method: string, url: string, send: Send, credentials: Record<string, string>) {
  const path = target.path(url);
  const body = target.body?.(method, url);
  const payload = body ? JSON.stringify(body.payload) : undefined;
  const json: Record<string, string> = body ? { 'content-type': 'application/json' } : {};
  for (const [name, authorization] of Object.entries(credentials)) {
    const headers: Record<string, string> = authorization ? { ...json, authorization } : json;
    await send(`credential: ${name}`, { method, url: path, headers, ...(payload ? { payload } : {}) });
  }
}

/** The body probes of one route, with the good credential: oversized, malformed, NUL and lone surrogates. */
async function bodyProbes(target: ProbeTarget, method: string, url: string, send: Send) {
  const path = target.path(url);
  const auth = { authorization: target.goodAuthorization };
  const json = { ...auth, 'content-type': 'application/json' };
  if (method !== 'GET' && method !== 'DELETE') {
    await send('body: oversized', { method, url: path, headers: json, payload: `{"a":"${'x'.repeat(target.bodyLimitBytes)}"}` });
    await send('body: malformed JSON', { method, url: path, headers: json, payload: '{"a": [1, 2' });
    await send('body: not an object', { method, url: path, headers: json, payload: '"just a string"' });
    await send('body: deeply nested', { method, url: path, headers: json, payload: `${'['.repeat(5_000)}${']'.repeat(5_000)}` });
    const body = target.body?.(method, url);
    if (body) {
      for (const [name, poison] of [
        ['NUL', 'a\u0000b'],
        ['lone surrogate', 'a\ud800b'],
      ] as const) {
        const payload = JSON.stringify({ ...body.payload, [body.field]: poison });
        await send(`field ${body.field}: ${name}`, { method, url: path, headers: json, payload });
      }
    }
  }
  await send('query: NUL', { method, url: `${path}${path.includes('?') ? '&' : '?'}filename=%00`, headers: auth });
}

/**
 * Runs every probe on every route of `target` and returns the answers. `full`: every refused credential
 * on every guarded route; otherwise (the smoke in `npm test`) three of them.
 */
export async function probeService(target: ProbeTarget, full: boolean): Promise<ProbeResult[]> {
  const results: ProbeResult[] = [];
  const all = refusedCredentials(target.jwtSecret);
  const credentials = full ? all : Object.fromEntries(['no credential', 'forged (another secret)', 'exp 1e308'].map((k) => [k, all[k]!]));
  const routes = routesOf(target.app).filter((r) => r.url !== '*');
  for (const { method, url } of routes) {
    const send = sender(target, `${method} ${url}`, results);
    if (!target.open(method, url)) await credentialProbes(target, method, url, send, credentials);
    await bodyProbes(target, method, url, send);
  }
  return results;
}
