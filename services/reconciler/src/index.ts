export { buildApp, type ReconcilerDeps } from './app.ts';
export { RECONCILER_DEFAULTS, loadReconcilerConfig, reconcilerEnvSchema, type ReconcilerConfig } from './config.ts';
export { startPassLoop, type PassLoop, type PassLoopOptions } from './pass-loop.ts';
export { createService, type ReconcilerShared } from './service.ts';
