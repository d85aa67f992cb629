/** The channel our publish transactions notify and the outbox relay listens on. */
export const OUTBOX_CHANNEL = 'mobius_outbox';

/** to_char format of a UTC `timestamp` as ISO 8601 with microseconds: `2026-01-02T03:04:05.123456Z`. */
export const ISO_UTC = 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"';
