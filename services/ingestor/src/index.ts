export { INGEST_BATCH, INGEST_CONCURRENCY, buildApp, ragSnapshotSource, startConsumer, type IngestorDeps } from './app.ts';
export { INGESTOR_DEFAULTS, loadIngestorConfig, type IngestorConfig } from './config.ts';
export { ingestDocuments, type IngestDeps, type SnapshotSource } from './handlers/ingest-documents.ts';
export { createService, type IngestorShared } from './service.ts';
