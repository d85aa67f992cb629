export { MART_CONCURRENCY, MART_TRIGGER_BATCH, buildApp, startConsumer, type MartBuilderDeps } from './app.ts';
export { MART_BUILDER_DEFAULTS, loadMartBuilderConfig, type MartBuilderConfig } from './config.ts';
export { buildMart, type BuildMartDeps } from './handlers/build-mart.ts';
export { createService, type MartBuilderShared } from './service.ts';
