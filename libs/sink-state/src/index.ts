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
