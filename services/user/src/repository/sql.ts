/** SQL fragments shared by the stores. */

/** A `timestamp` (UTC by convention) as ISO 8601 with microseconds and `Z`; NULL stays NULL. */
export const iso = (column: string) => `to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** The database's clock in UTC, as the `timestamp` columns hold it. */
export const NOW_UTC = `(now() AT TIME ZONE 'UTC')`;

/** Postgres's error code for a unique index violation. */
export const UNIQUE_VIOLATION = '23505';
