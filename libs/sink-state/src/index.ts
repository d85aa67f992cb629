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
