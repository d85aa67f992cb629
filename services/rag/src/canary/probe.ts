import { CANARY } from '@mobius/contracts';
import type { Logger } from '@mobius/service';
import type { RagApp } from '../app.ts';

/**
 * The freshness canary (PROBE_INTERVAL_SECONDS; docs/status.md): every interval, the rag service
 * replaces the text of its one canary document and publishes it through its own HTTP API (in process,
 * `app.inject`), the very path `mobius publish` takes: chunking, embedding, the outbox, the bus, the
 * warehouse, both sinks. The sinks record its publish-to-visible time like any other document's, so
 * `mobius status` has fresh samples even when nobody publishes. One document, found again by its
 * filename after a restart; its rows carry the reserved payer (CANARY.payer) that chat search drops.
 * Several rag instances each probe (harmless: each publish is a new version of the same document).
 */

export interface CanaryProbeDeps {
  app: Pick<RagApp, 'inject'>;
  /** The canary document's id in RAG, or null before the first probe ever. */
  findCanary: () => Promise<string | null>;
  intervalMs: number;
  /** Sent with every call: the service token's Authorization header (the API is guarded unless AUTH=none). */
  headers?: Record<string, string>;
  logger: Logger;
}

export interface CanaryProbe {
  /** Stops the loop; resolves once a probe in flight has finished. */
  stop(): Promise<void>;
}

/** The canary's upload body: a new text each time, so every probe changes its rows. */
function canaryBody(at: Date) {
  return {
    filename: CANARY.filename,
    display_name: 'Mobius freshness canary',
    payer: CANARY.payer,
    text: `# Mobius freshness canary\n\nProbe of ${at.toISOString()}: measures publish-to-visible time. Chat search never returns it.`,
  };
}

class CanaryProbeError extends Error {
  readonly code = 'CANARY_PROBE_FAILED';
  readonly retryable = true;
}

/** One probe: replace (or create) the canary document, then publish it. Returns its id. */
async function probeOnce(deps: CanaryProbeDeps, known: string | null): Promise<string> {
  const call = async (method: 'POST' | 'PUT', url: string, payload: object, accepted: number[]) => {
    const response = await deps.app.inject({ method, url, payload, headers: deps.headers ?? {} });
    if (!accepted.includes(response.statusCode)) throw new CanaryProbeError(`${method} ${url} answered ${response.statusCode}: ${response.body}`);
    return response;
  };
  let id = known ?? (await deps.findCanary());
  const body = canaryBody(new Date());
  if (id && (await call('PUT', `/documents/${id}`, body, [200, 404])).statusCode === 404) id = null;
  if (!id) id = (JSON.parse((await call('POST', '/documents', body, [201])).body) as { document_id: string }).document_id;
  await call('POST', `/documents/${id}/publish`, { published_by: CANARY.publishedBy }, [200, 201]);
  return id;
}

/** Starts the probe loop: the first probe after one interval, then one per interval, never two at once. */
export function startCanaryProbe(deps: CanaryProbeDeps): CanaryProbe {
  let known: string | null = null;
  let stopped = false;
  let inFlight: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    timer = setTimeout(() => {
      inFlight = probeOnce(deps, known).then(
        (id) => {
          known = id;
          deps.logger.debug({ documentId: id }, 'canary published');
        },
        (error: unknown) => deps.logger.warn({ err: error }, 'canary probe failed; trying again next interval'),
      );
      void inFlight.then(() => (stopped ? undefined : schedule()));
    }, deps.intervalMs);
    timer.unref();
  };
  schedule();
  deps.logger.info({ intervalMs: deps.intervalMs }, 'freshness canary probe started');
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
    },
  };
}
