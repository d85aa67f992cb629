/** How long waitFor polls, and how often, unless told otherwise. */
export const WAIT_DEFAULTS = { timeoutMs: 20_000, everyMs: 50 } as const;

/**
 * Polls `probe` until it returns a truthy value, and returns that value. A probe that throws counts as
 * not yet; past `timeoutMs` it throws naming `what` (and the probe's last error, if any).
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | Promise<T>,
  timeoutMs: number = WAIT_DEFAULTS.timeoutMs,
  everyMs: number = WAIT_DEFAULTS.everyMs,
): Promise<Exclude<T, undefined | null | false | 0 | ''>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as Exclude<T, undefined | null | false | 0 | ''>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
