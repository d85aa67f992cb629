import { deadLetterInfo, type Message } from '@mobius/bus';

/** One dead letter as `mobius dlq list --json` prints it: `deadLetterInfo` (@mobius/bus) in snake case. */
export interface DeadLetterView {
  id: string;
  reason: string;
  code: string;
  attempts: number | null;
  /** ISO-8601: when the original message was published, the earliest its first failure can have been. */
  first_failure_at: string | null;
  /** ISO-8601: when it was dead-lettered, right after its last failure. */
  last_failure_at: string;
  trace_id: string | null;
  size_bytes: number;
  original_topic: string | null;
  /** Its position in the dead-letter stream (NATS). */
  sequence?: number;
}

/** The list view of a dead letter, from what the message carries. */
export function viewOf(message: Message): DeadLetterView {
  const info = deadLetterInfo(message);
  const view: DeadLetterView = {
    id: info.id,
    reason: info.reason,
    code: info.code,
    attempts: info.attempts,
    first_failure_at: info.firstFailureAt?.toISOString() ?? null,
    last_failure_at: info.lastFailureAt.toISOString(),
    trace_id: info.traceId,
    size_bytes: info.sizeBytes,
    original_topic: info.originalTopic,
  };
  if (info.sequence !== undefined) view.sequence = info.sequence;
  return view;
}

/** What `--id`, `--since` and `--reason-like` select; all given must match. */
export interface DeadLetterFilter {
  id?: string;
  /** Dead-lettered at or after this time. */
  since?: Date;
  /** Case-insensitive substring of the reason or the code. */
  reasonLike?: string;
}

export function matches(view: DeadLetterView, filter: DeadLetterFilter): boolean {
  if (filter.id !== undefined && view.id !== filter.id) return false;
  if (filter.since && new Date(view.last_failure_at).getTime() < filter.since.getTime()) return false;
  if (filter.reasonLike !== undefined) {
    const needle = filter.reasonLike.toLowerCase();
    if (!view.reason.toLowerCase().includes(needle) && !view.code.toLowerCase().includes(needle)) return false;
  }
  return true;
}

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--since 30m|2h|1d|90s` -> milliseconds; undefined for anything else. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)([smhd])$/.exec(text.trim());
  return match ? Number(match[1]) * UNIT_MS[match[2]!]! : undefined;
}

/** The human table of `mobius dlq list`: one line per dead letter, the reason last (it is the long one). */
export function formatTable(views: DeadLetterView[]): string[] {
  const rows = views.map((v) => [
    v.id,
    v.attempts === null ? '?' : String(v.attempts),
    shortTime(v.first_failure_at),
    shortTime(v.last_failure_at),
    v.trace_id ?? '-',
    String(v.size_bytes),
    `${v.code}: ${v.reason}`,
  ]);
  const header = ['ID', 'ATTEMPTS', 'FIRST FAILURE', 'LAST FAILURE', 'TRACE ID', 'BYTES', 'REASON'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ');
  return [line(header), ...rows.map(line)];
}

/** `2026-12-07T02:57:51.396Z` -> `2026-12-07 02:57:51Z`. */
function shortTime(iso: string | null): string {
  return iso === null ? '-' : `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`;
}
