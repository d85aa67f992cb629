export { READINESS_TIMEOUT_MS, buildServiceApp, type ReadinessCheck, type ServiceAppOptions } from './app.ts';
export { DB_UNREACHABLE, HttpError, badRequest, conflict, httpProblemOf, installErrorHandler, notFound, type HttpProblem } from './http-errors.ts';
export { createLogger, type Logger } from './logger.ts';
export { createMetrics, type ServiceMetrics } from './metrics.ts';
export { registerInvalidDatapointMetrics, registerOutboxQuarantineMetrics, type OutboxQuarantineMetrics } from './set-aside-metrics.ts';
export { SHUTDOWN_DEADLINE_MS, runService, type RunServiceOptions } from './run-service.ts';
export { MicroBatcher, type ItemOutcome, type MicroBatchOptions } from './micro-batcher.ts';
export { consumerMetrics } from './consumer-metrics.ts';
export {
  PUSH_PATH,
  PushAuthError,
  oidcPushVerifier,
  registerPushEndpoint,
  type OidcPushAuthOptions,
  type PushEndpointOptions,
  type SignerCerts,
} from './push-endpoint.ts';
export { readAhead } from './read-ahead.ts';
export { UNSTORABLE_TEXT_CODE, assertStorableText, findUnstorableText, rejectUnstorableText, unstorableTextReason } from './text-input.ts';
export { createServiceAccess, type ServiceAccess, type ServiceAccessOptions } from './service-auth.ts';
export { routesOf, type RouteSummary } from './route-list.ts';
export { DOCS_PATH, installOpenApi, type RouteDoc } from './openapi.ts';
export {
  closeWithApp,
  exitOnConfigError,
  runServiceMain,
  serviceInstance,
  startWithApp,
  type RuntimeSettings,
  type ServiceInstance,
} from './service-main.ts';
