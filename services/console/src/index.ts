export { buildApp, type ConsoleDeps } from './app.ts';
export { CONSOLE_DEFAULTS, consoleEnvSchema, loadConsoleConfig, type ConsoleAuth, type ConsoleConfig } from './config.ts';
export { createService, type ConsoleShared } from './service.ts';
export { deadLettersFrom } from './sources/dead-letters.ts';
export { freshnessHistoryFrom } from './sources/freshness-history.ts';
export { consoleSources, type ConsoleBackends } from './sources/from-backends.ts';
export { syncRunsFrom } from './sources/sync-runs.ts';
export type { DeadLettersSource, FreshnessHistorySource, StatusSource, SyncRunsSource } from './types.ts';
