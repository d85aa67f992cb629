import swagger from '@fastify/swagger';
import type { FastifyInstance, FastifySchema } from 'fastify';

/**
 * What a route tells the OpenAPI document about itself without fastify acting on it: a route puts it in
 * `config.openapi` (summary, description, tags, params, querystring, body, response). Unlike `schema`,
 * nothing here validates a request or filters a response, so documenting a route never changes what
 * it accepts or answers (the handlers keep their own checks and error bodies).
 */
export interface RouteDoc {
  summary?: string;
  description?: string;
  tags?: string[];
  params?: object;
  querystring?: object;
  body?: object;
  response?: Record<string, object>;
  security?: Record<string, string[]>[];
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** This route's documentation in the OpenAPI document served at /docs (libs/service/src/openapi.ts). */
    openapi?: RouteDoc;
  }
}

/** Where the document is served: a small HTML page at /docs, the OpenAPI JSON at /docs/json. */
export const DOCS_PATH = '/docs';

/** The HTTP routes every service shares, tagged so the document groups them apart from the API. */
const OPERATIONS_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

function page(title: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title} API</title>
<style>body{font:14px/1.5 system-ui,sans-serif;margin:2rem;max-width:60rem}code{background:#f4f4f4;padding:0 .2rem}
h2{font-size:1rem;margin:1.5rem 0 .3rem}li{margin:.2rem 0}</style></head>
<body><h1>${title} API</h1>
<p>The OpenAPI 3 document, generated from the routes: <a href="${DOCS_PATH}/json"><code>${DOCS_PATH}/json</code></a>
(load it in any OpenAPI viewer). The repository's docs/api/ describes each API in prose.</p>
<ul id="routes"></ul>
<script>
fetch('${DOCS_PATH}/json').then((r) => r.json()).then((doc) => {
  const list = document.getElementById('routes');
  for (const [path, item] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(item)) {
    const li = document.createElement('li');
    li.textContent = method.toUpperCase() + ' ' + path + (op.summary ? ': ' + op.summary : '');
    list.append(li);
  }
});
</script></body></html>
`;
}

/**
 * Adds the OpenAPI document (@fastify/swagger, dynamic mode) to a service app: every route added from
 * here on is listed, with what its `schema` and `config.openapi` say. `/docs` and `/docs/json` are open
 * (no guard: they describe the API, they do not call it) and not listed themselves.
 *
 * The plugin is applied at once rather than through `app.register`, which would run it only at
 * `ready()`: services add their routes right after buildServiceApp returns, and the plugin collects
 * routes with an `onRoute` hook, which must exist before they are added.
 */
export function installOpenApi(app: FastifyInstance, title: string): void {
  const plugin = swagger as unknown as (instance: FastifyInstance, options: object, done: (error?: Error) => void) => void;
  plugin(
    app,
    {
      openapi: {
        info: { title: `${title} API`, version: '0.1.0', description: `The HTTP API of the Mobius ${title} service.` },
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      },
      transform: ({ schema, url, route }: { schema: FastifySchema | undefined; url: string; route: { config?: { openapi?: RouteDoc } } }) => {
        const doc = route.config?.openapi ?? {};
        const tags = doc.tags ?? (OPERATIONS_ROUTES.has(url) ? ['operations'] : (schema as { tags?: string[] } | undefined)?.tags);
        return { url, schema: { ...schema, ...doc, ...(tags ? { tags } : {}) } };
      },
    },
    (error) => {
      if (error) throw error;
    },
  );
  app.get(`${DOCS_PATH}/json`, { schema: { hide: true } }, async () => app.swagger());
  app.get(DOCS_PATH, { schema: { hide: true } }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(page(title)));
}
