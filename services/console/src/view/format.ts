/** How numbers, durations and times read on the page. */

/** `1.2 s`, `850 ms`, `3 min`, `2.5 h`; `–` when unknown. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(ms < 600_000 ? 1 : 0)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

/** A duration in seconds, as formatMs. */
export function formatSeconds(seconds: number | null | undefined): string {
  return seconds === null || seconds === undefined ? '–' : formatMs(seconds * 1_000);
}

/** A count, `–` when the backend cannot say. */
export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined ? '–' : n.toLocaleString('en-US');
}

/** `2026-12-07 02:56:21Z`: an ISO time, shortened to the second, in UTC. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '–';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/** `12 s ago` relative to `now`. */
export function formatAgo(iso: string | null | undefined, now: number): string {
  if (!iso) return '–';
  const at = new Date(iso).getTime();
  return Number.isNaN(at) ? iso : `${formatMs(Math.max(0, now - at))} ago`;
}
