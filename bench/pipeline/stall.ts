/** A pipeline whose visible count has not moved for this long is reported stuck. */
export const STALL_MS = 60_000;

/** The error, with what the services logged as warnings and errors appended. */
export function withProblems(error: unknown, problems: string): Error {
  const message = error instanceof Error ? error.message : String(error);
  return new Error(problems ? `${message}\nservice warnings and errors:\n${problems}` : message);
}
