export type {
  DriftStatus,
  FreshnessStatus,
  OutboxStatus,
  PipelineStatus,
  SinkStatus,
  SubscriptionStatus,
  SyncRunStatus,
} from './types.ts';
export { collectStatus } from './collect.ts';
export { STATUS_DEFAULTS, type Queryable, type StatusDeps } from './deps.ts';
export { StatusUnavailableError } from './errors.ts';
export { NO_STATS_NOTE } from './subscriptions.ts';
export {
  THRESHOLD_KEYS,
  ThresholdSyntaxError,
  evaluateThresholds,
  parseFailOn,
  type Crossing,
  type Threshold,
  type ThresholdKey,
} from './thresholds.ts';
