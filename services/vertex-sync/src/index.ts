export { buildApp, VERTEX_SYNC_SUBSCRIBE_DEFAULTS, type VertexSyncDeps } from './app.ts';
export { VERTEX_SYNC_DEFAULTS, loadVertexSyncConfig, type VertexSyncConfig } from './config.ts';
export {
  APPLY_MART_RUNS_DEFAULTS,
  applyMartRuns,
  handleMartUpdated,
  type ApplyMartRunsDeps,
  type ApplyOutcome,
  type TriggerMessage,
} from './handlers/apply-mart-runs.ts';
export { createService, type VertexSyncInstance, type VertexSyncShared } from './service.ts';
export { SinkBusyError, SinkFailedError, type SyncRunRecord } from '@mobius/sink-state';
export { createSinkStore, SINK_STORE_DEFAULTS, VERTEX_SYNC_SINK, type SinkStore } from './sink-store.ts';
