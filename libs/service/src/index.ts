export { READINESS_TIMEOUT_MS, buildServiceApp, type ReadinessCheck, type ServiceAppOptions } from './app.ts';
export { HttpError, badRequest, conflict, installErrorHandler, notFound } from './http-errors.ts';
export { createLogger, type Logger } from './logger.ts';
export { createMetrics, type ServiceMetrics } from './metrics.ts';
export { SHUTDOWN_DEADLINE_MS, runService, type RunServiceOptions } from './run-service.ts';
export { MicroBatcher, type ItemOutcome, type MicroBatchOptions } from './micro-batcher.ts';
export { consumerMetrics } from './consumer-metrics.ts';
export { PUSH_PATH, PushAuthError, oidcPushVerifier, registerPushEndpoint, type OidcPushAuthOptions, type PushEndpointOptions, type SignerCerts } from './push-endpoint.ts';
export { readAhead } from './read-ahead.ts';
