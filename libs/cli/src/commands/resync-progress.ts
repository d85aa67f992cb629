import type { ProgressEvent } from '@mobius/reconcile';
import type { CliIO } from '../io.ts';
import { startProgress, type Progress } from '../progress.ts';

/** Resync's progress: the CLI's one progress printer (../progress.ts) for each phase and target in turn. */
export interface ReconcileProgress {
  /** The reconcile's `onProgress`. */
  onProgress(event: ProgressEvent): void;
  /** Ends the current phase's line (call when the reconcile returns or fails). */
  finish(): void;
}

/**
 * `check chat: 5000 rows, 2500/s`, then `repair vertex: [#####---] 120/400 documents (30%), 45.2/s,
 * ETA 6 s`: a new printer when the phase or target changes, the previous one finished.
 */
export function reconcileProgress(io: CliIO): ReconcileProgress {
  let key = '';
  let current: Progress | undefined;
  return {
    onProgress(event) {
      const label = `${event.phase} ${event.target}`;
      if (label !== key) {
        current?.finish();
        key = label;
        current = startProgress(io, label, event.unit, event.total);
      }
      current!.update(event.done, event.total);
    },
    finish: () => current?.finish(),
  };
}
