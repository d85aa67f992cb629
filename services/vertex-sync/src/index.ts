export { buildApp, VERTEX_SYNC_SUBSCRIBE_DEFAULTS, type VertexSyncDeps } from './app.ts';
export { VertexSyncFailedError } from './errors.ts';
export {
  APPLY_MART_RUNS_DEFAULTS,
  applyMartRuns,
  handleMartUpdated,
  type ApplyMartRunsDeps,
  type ApplyOutcome,
  type TriggerMessage,
} from './handlers/apply-mart-runs.ts';
export { SinkBusyError, type SyncRunRecord } from '@mobius/sink-state';
export { createSinkStore, SINK_STORE_DEFAULTS, VERTEX_SYNC_SINK, type SinkStore, type VertexSyncTransaction } from './sink-store.ts';
