import { PushEnvelopeError, PushUnavailableError, pushReceiverOf, type Bus, type PushReceiver } from '@mobius/bus';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PushAuthError, oidcPushVerifier, type SignerCerts } from './push-auth.ts';

export { PushAuthError, oidcPushVerifier, type OidcPushAuthOptions, type SignerCerts } from './push-auth.ts';

/** Where Pub/Sub pushes (docs/configuration.md, the Pub/Sub settings: BUS_MODE=push). */
export const PUSH_PATH = '/pubsub/push';

/** Seconds a refused push (busy, closing) suggests waiting: Pub/Sub's own retry policy decides in the end. */
const RETRY_AFTER_SECONDS = 1;

export interface PushEndpointOptions {
  /** Signer certificates for the OIDC check (tests); default Google's. */
  certs?: () => Promise<SignerCerts>;
}

/**
 * Cloud Run push mode: adds `POST /pubsub/push` when `bus` is a Pub/Sub bus with BUS_MODE=push (and
 * does nothing otherwise, returning false), so a service calls it unconditionally. The messages go
 * to the handlers the service subscribed with `bus.subscribe` — in push mode that registers the
 * handler, with the bus's whole middleware chain, instead of pulling — so pull and push run the same
 * code. Answers:
 * - 204: handled, or dead-lettered with its reason by the middleware (a message that can never
 *   succeed): acked either way, so Pub/Sub does not send it again;
 * - 400: the body is no push envelope (Pub/Sub retries it, then its dead-letter policy moves it);
 * - 401/403: the OIDC token is missing or invalid / for another audience or account (PUSH_AUTH=oidc);
 *   with PUSH_AUTH=none only the emulator's pushes or loopback callers are accepted;
 * - 500: the handler failed and may succeed later; 503: no subscriber can take it now (starting,
 *   closing, busy). Both are nacks: Pub/Sub redelivers with its retry policy, and after
 *   maxDeliveryAttempts its dead-letter policy applies.
 */
export function registerPushEndpoint(app: FastifyInstance, bus: Bus, options: PushEndpointOptions = {}): boolean {
  const receiver = pushReceiverOf(bus);
  if (!receiver) return false;
  const authenticate = authenticator(receiver, options);
  app.post(PUSH_PATH, async (request, reply) => {
    try {
      await authenticate(request);
    } catch (error) {
      const auth = error instanceof PushAuthError ? error : new PushAuthError('PUSH_UNAUTHENTICATED', 'push authentication failed', { cause: error });
      request.log.warn({ code: auth.code }, auth.message);
      return reply.status(auth.status).send({ error: { code: auth.code, message: auth.message } });
    }
    try {
      await receiver.deliver(request.body);
      return reply.status(204).send();
    } catch (error) {
      const { status, code, message } = failure(error);
      request.log.warn({ code, status }, `push delivery not acked: ${message}`);
      if (status === 503) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
      return reply.status(status).send({ error: { code, message } });
    }
  });
  return true;
}

function authenticator(receiver: PushReceiver, options: PushEndpointOptions): (request: FastifyRequest) => Promise<void> {
  const { auth } = receiver;
  if (auth.kind === 'oidc') {
    const verify = oidcPushVerifier({ ...auth, ...(options.certs ? { certs: options.certs } : {}) });
    return (request) => verify(request.headers.authorization);
  }
  return async (request) => {
    if (receiver.emulator || isLoopback(request.ip)) return;
    throw new PushAuthError('PUSH_FORBIDDEN', 'PUSH_AUTH=none accepts only loopback callers, unless PUBSUB_EMULATOR_HOST is set');
  };
}

function failure(error: unknown): { status: 400 | 500 | 503; code: string; message: string } {
  const message = error instanceof Error ? error.message : String(error);
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : 'HANDLER_FAILED';
  if (error instanceof PushEnvelopeError) return { status: 400, code, message };
  if (error instanceof PushUnavailableError) return { status: 503, code, message };
  return { status: 500, code, message };
}

function isLoopback(ip: string): boolean {
  return ip === '::1' || /^(::ffff:)?127\./.test(ip);
}
