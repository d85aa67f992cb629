export type {
  DriftStatus,
  FreshnessStatus,
  OutboxStatus,
  PipelineStatus,
  SinkStatus,
  SubscriptionStatus,
  SyncRunStatus,
} from './types.ts';
