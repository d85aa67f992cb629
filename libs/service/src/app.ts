import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { Gauge, type Registry } from 'prom-client';
import { installErrorHandler } from './http-errors.ts';
import type { Logger } from './logger.ts';
import type { ServiceMetrics } from './metrics.ts';
import { installOpenApi } from './openapi.ts';
import { recordRoutes } from './route-list.ts';
import { rejectUnstorableText } from './text-input.ts';

/** One backend a service needs; `check` resolves when it is reachable and throws when not. */
export interface ReadinessCheck {
  name: string;
  check: () => Promise<void>;
}

export interface ServiceAppOptions {
  logger: Logger;
  metrics: ServiceMetrics;
  readiness: ReadinessCheck[];
  /** Largest accepted request body. */
  bodyLimitBytes?: number;
}

/** The probes kubelets, load balancers and Prometheus call every few seconds: their request lines are logged at debug. */
export const PROBE_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

const isProbe = (request: FastifyRequest) => PROBE_PATHS.has(request.url.split('?', 1)[0] ?? '');

/** Fastify's request lines ("incoming request", "request completed"), at debug instead of info for the probes. */
class ProbeQuietLogController extends LogController {
  override incomingRequest(request: FastifyRequest, reply: FastifyReply): void {
    if (isProbe(request)) request.log.debug({ req: request }, 'incoming request');
    else super.incomingRequest(request, reply);
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (isProbe(request) && !error) reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
    else super.requestCompleted(error, request, reply);
  }
}

/** How long one readiness check may take before it counts as down. */
export const READINESS_TIMEOUT_MS = 2_000;

async function runCheck(check: ReadinessCheck): Promise<{ name: string; ok: boolean; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${READINESS_TIMEOUT_MS} ms`)), READINESS_TIMEOUT_MS);
  });
  try {
    await Promise.race([check.check(), timeout]);
    return { name: check.name, ok: true };
  } catch (error) {
    return { name: check.name, ok: false, error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

const READY_METRIC = 'mobius_ready';

/**
 * Registers `mobius_ready`: 1 when every readiness check passes, else 0, evaluated at each scrape so
 * it holds without a kubelet probing /readyz (the alert MobiusServiceNotReady, docs/alerts.md).
 * A registry holds one: the app built last on it owns it.
 */
function registerReadyGauge(registry: Registry, readiness: ReadinessCheck[]): void {
  registry.removeSingleMetric(READY_METRIC);
  new Gauge({
    name: READY_METRIC,
    help: '1 when every backend the service needs answers (as /readyz), else 0',
    registers: [registry],
    async collect() {
      const checks = await Promise.all(readiness.map(runCheck));
      this.set(checks.every((c) => c.ok) ? 1 : 0);
    },
  });
}

/**
 * The fastify app every service starts from: `/healthz` (the process is alive), `/readyz` (200 only
 * when every backend answers, else 503 naming the ones that do not), `/metrics` (Prometheus text,
 * with `mobius_ready`, the same verdict as /readyz). Services add their routes to the returned instance.
 * Every route refuses text Postgres cannot store (NUL, lone surrogates) with a 400 naming the field.
 */
export function buildServiceApp(options: ServiceAppOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    logController: new ProbeQuietLogController(),
    bodyLimit: options.bodyLimitBytes ?? 10 * 1024 * 1024,
  });
  recordRoutes(app);
  // The OpenAPI document of every route added from here on, open at /docs and /docs/json (openapi.ts).
  installOpenApi(app, String((options.logger.bindings() as { service?: string }).service ?? 'mobius'));
  installErrorHandler(app);
  // Every route: NUL and lone surrogates in params, query or body are a 400 naming the field (text-input.ts).
  app.addHook('preValidation', rejectUnstorableText);
  registerReadyGauge(options.metrics.registry, options.readiness);
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const checks = await Promise.all(options.readiness.map(runCheck));
    const ready = checks.every((c) => c.ok);
    return reply.status(ready ? 200 : 503).send({ ready, checks });
  });
  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', options.metrics.registry.contentType);
    return options.metrics.registry.metrics();
  });
  return app;
}
