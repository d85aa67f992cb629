import type { ProgressEvent } from '@mobius/reconcile';

/** At most one progress line per this long, and one at the end of each phase. */
const PROGRESS_INTERVAL_MS = 1_000;

/**
 * A progress bar for `mobius resync` as plain lines on stderr (stdout stays the report, `--json`
 * parseable): what is done, the rate since the phase began, and for a repair the share done and the ETA.
 */
export function progressPrinter(write: (line: string) => void, now: () => number = Date.now): (event: ProgressEvent) => void {
  let phaseKey = '';
  let phaseStart = 0;
  let lastPrinted = 0;
  return (event) => {
    const key = `${event.phase}:${event.target}`;
    const time = now();
    if (key !== phaseKey) {
      phaseKey = key;
      phaseStart = time;
      lastPrinted = 0;
    }
    const finished = event.total !== null && event.done >= event.total;
    if (!finished && time - lastPrinted < PROGRESS_INTERVAL_MS) return;
    lastPrinted = time;
    write(formatProgress(event, (time - phaseStart) / 1000));
  };
}

/** `repair vertex: [#####-----] 120/400 documents (30%), 45.2/s, ETA 6 s` */
export function formatProgress(event: ProgressEvent, elapsedSeconds: number): string {
  const rate = elapsedSeconds > 0 ? event.done / elapsedSeconds : 0;
  const head = `${event.phase} ${event.target}:`;
  if (event.total === null || event.total === 0) return `${head} ${event.done} ${event.unit} read, ${rate.toFixed(0)} ${event.unit}/s`;
  const share = event.done / event.total;
  const filled = Math.round(share * 20);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(20 - filled)}]`;
  const eta = rate > 0 ? `${Math.ceil((event.total - event.done) / rate)} s` : 'unknown';
  return `${head} ${bar} ${event.done}/${event.total} ${event.unit} (${Math.round(share * 100)}%), ${rate.toFixed(1)}/s, ETA ${eta}`;
}
