import type { FastifyInstance } from 'fastify';

/** One route as registered: its method(s) and URL pattern. */
export interface RouteSummary {
  method: string;
  url: string;
}

const registered = new WeakMap<FastifyInstance, RouteSummary[]>();

/** Records every route added to `app` or its child scopes from now on (buildServiceApp calls it first). */
export function recordRoutes(app: FastifyInstance): void {
  const routes: RouteSummary[] = [];
  registered.set(app, routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push({ method, url: route.url });
  });
}

/** Every route of a service app (health and API alike), for the security suite's probes. */
export function routesOf(app: FastifyInstance): RouteSummary[] {
  return [...(registered.get(app) ?? [])];
}
