import { createServiceBus, createServiceVectorIndex } from '@mobius/backends';
import { loadPipelineConfig, loadRuntimeConfig } from '@mobius/config';
import { createLogger } from '@mobius/service';
import { tracePort } from '@mobius/telemetry';
import type { DevServiceName } from './defaults.ts';
import type { DevEnvironment } from './environment.ts';
import { DevError } from './errors.ts';
import { servicePort } from './ports.ts';
import { startChatSync } from './services/chat-sync.ts';
import { startChat } from './services/chat.ts';
import { startConsole } from './services/console.ts';
import { startIngestor } from './services/ingestor.ts';
import { startMartBuilder } from './services/mart-builder.ts';
import { startRag, type DevRag } from './services/rag.ts';
import { startReconciler } from './services/reconciler.ts';
import type { DevContext, DevService } from './services/types.ts';
import { startUser } from './services/user.ts';
import { startVertexSync } from './services/vertex-sync.ts';

/** The platform running in this process. */
export interface Platform {
  /** Where each service listens, `http://host:port`. */
  urls: Record<DevServiceName, string>;
  rag: DevRag;
  context: DevContext;
  /** The services whose API admits anyone (AUTH=none, dev's default), in start order. */
  open: DevServiceName[];
  /** How many datapoints the in-process index was refilled with (undefined: a persistent index). */
  refilled: number | undefined;
  /** Closes every app, then stops consumers in pipeline order (upstream first), then the bus and the index. */
  stop(): Promise<void>;
}

/** `http://<host>:<port>` as a person would type it: the loopback or wildcard hosts read `localhost`. */
function urlOf(host: string, port: number): string {
  const shown = ['localhost', '0.0.0.0', '::', '127.0.0.1'].includes(host) ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}

async function listen(service: DevService, host: string, portBase: number): Promise<string> {
  const port = servicePort(portBase, service.name);
  try {
    await service.app.listen({ port, host });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    throw new DevError(
      'DEV_PORT',
      `port ${port} (${service.name}) is in use: is another mobius dev or service running? choose other ports with --port-base`,
      { cause: error },
    );
  }
  return urlOf(host, (service.app.server.address() as { port: number }).port);
}

/**
 * Stops started services in start order, upstream first: each app closes (no new request, in-flight ones
 * finish), then its onClose hooks drain its consumers and close what it created; then the shared bus and index.
 */
async function stopAll(services: DevService[], shared: DevContext): Promise<void> {
  for (const service of services) await service.app.close();
  for (const service of services) await service.stop();
  await shared.bus.close();
  await shared.index.close();
}

/**
 * Builds ONE bus and ONE vector index for the whole platform, then starts rag, ingestor,
 * mart-builder, chat-sync, vertex-sync, chat, user, the reconciler (which checks Chat and that
 * same index against RAG) and the console (CONSOLE_AUTH=none unless set) in this process on them, each on its own port
 * (port base + offset; base 0: any free port). If any step fails, what started is stopped again.
 */
export async function startPlatform(environment: DevEnvironment, portBase: number): Promise<Platform> {
  const { env } = environment;
  const runtime = loadRuntimeConfig('dev', env, 0);
  const pipeline = loadPipelineConfig(env, { deployEnv: 'dev' });
  const busLogger = createLogger('bus', runtime.logLevel);
  const bus = await createServiceBus('dev', pipeline.bus, busLogger);
  const index = await createServiceVectorIndex('dev', pipeline).catch(async (error: unknown) => {
    await bus.close();
    throw error;
  });
  const context: DevContext = {
    env,
    pipeline,
    ragReadUrl: environment.ragReadUrl,
    bus,
    index: tracePort(index, 'vector-index'),
    indexIsInProcess: pipeline.vectorIndex.kind === 'memory',
    logger: (service) => createLogger(service, runtime.logLevel),
  };
  const services: DevService[] = [];
  try {
    const rag = await startRag(context);
    services.push(rag);
    services.push(await startIngestor(context));
    services.push(await startMartBuilder(context));
    services.push(await startChatSync(context));
    const vertexSync = await startVertexSync(context);
    services.push(vertexSync, await startChat(context), await startUser(context), await startReconciler(context), await startConsole(context));
    const urls = {} as Record<DevServiceName, string>;
    for (const service of services) urls[service.name] = await listen(service, runtime.host, portBase);
    const open = services.filter((service) => service.open).map((service) => service.name);
    return { urls, rag, context, open, refilled: vertexSync.refilled, stop: () => stopAll(services, context) };
  } catch (error) {
    await stopAll(services, context).catch(() => undefined);
    throw error;
  }
}
