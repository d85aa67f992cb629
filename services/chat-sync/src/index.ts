export { buildApp, CHAT_SYNC_SUBSCRIBE_DEFAULTS, type ChatSyncDeps } from './app.ts';
export { CHAT_STORE_DEFAULTS, CHAT_SYNC_SINK, createChatStore, type ChatStore } from './chat-store.ts';
export { CHAT_SYNC_DEFAULTS, loadChatSyncConfig, type ChatSyncConfig } from './config.ts';
export {
  APPLY_MART_RUNS_DEFAULTS,
  applyMartRuns,
  handleMartUpdated,
  type ApplyMartRunsDeps,
  type ApplyOutcome,
  type TriggerMessage,
} from './handlers/apply-mart-runs.ts';
export { createService, type ChatSyncShared } from './service.ts';
export { SinkBusyError, SinkFailedError, type SyncRunRecord } from '@mobius/sink-state';
