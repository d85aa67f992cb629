export { ReconcileUnavailableError, checkTarget } from './check.ts';
export { RECONCILE_DEFAULTS, type CheckOptions, type ReconcileDeps } from './deps.ts';
export { finalReport, reconcile, repairDocuments, type ReconcileOptions, type TargetOutcome } from './reconcile.ts';
export { quarantinedEventCount } from './quarantine.ts';
export {
  SINK_OF_TARGET,
  TARGETS,
  hasDrift,
  type DocumentDrift,
  type ProgressEvent,
  type ProgressListener,
  type Target,
  type TargetReport,
} from './types.ts';
