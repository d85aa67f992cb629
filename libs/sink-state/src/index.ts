export {
  SinkBusyError,
  advanceWatermark,
  insertSyncRun,
  lockSink,
  readDocumentVersions,
  readWatermark,
  recordDocumentVersions,
  type DocumentVersion,
  type SyncRunRecord,
} from './sink-state.ts';
export { FRESHNESS_SAMPLES_DEFAULTS, FreshnessTally, recordFreshnessSamples, type FreshnessRow } from './freshness-samples.ts';
export { deleteChatRows, deleteOtherChatRows, upsertChatRows, type VersionedRow } from './chat-rows.ts';
export {
  ledgerIdsOfDocuments,
  recordLedgerRemovals,
  recordLedgerWrites,
  seedLedgerFromChat,
  type LedgerEntry,
} from './vector-ledger.ts';
export {
  SYNC_ROUNDS_DEFAULTS,
  foldSyncRoundsAfterEachRun,
  recordSyncRound,
  syncRoundId,
  type SyncRound,
  type SyncRunLogTarget,
} from './sync-rounds.ts';
export { SINK_STORE_DEFAULTS, openSinkStore, type SinkRunRecord, type SinkStore, type SinkTransaction } from './sink-store.ts';
export {
  SINK_RUNNER_DEFAULTS,
  SinkFailedError,
  describeError,
  martUpdatedTrigger,
  runSink,
  type SinkCounts,
  type SinkDefinition,
  type SinkLogger,
  type SinkOutcome,
  type SinkRunDeps,
  type TriggerMessage,
} from './sink-runner.ts';
export { SINK_SUBSCRIBE_DEFAULTS, buildSinkApp, type SinkAppOptions } from './sink-app.ts';
