import type { Logger } from '@mobius/service';
import { CONSOLE_DEFAULTS } from '../config.ts';
import type { StatusHistory } from '../history.ts';
import type { DeadLettersSource, FreshnessHistorySource, StatusSource, SyncRunsSource } from '../types.ts';
import { renderConsolePage, renderUnavailablePage } from '../view/page.ts';

/** What the page handler reads. */
export interface ConsolePageDeps {
  status: StatusSource;
  syncRuns: SyncRunsSource;
  deadLetters: DeadLettersSource;
  freshnessHistory: FreshnessHistorySource;
  history: StatusHistory;
  historyWindowMs: number;
  refreshSeconds: number;
  logger: Logger;
  now?: () => number;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * `GET /`: the status, the newest sync runs, the dead letters and the freshness history, read
 * together, rendered as one page. Without a status there is no page (503, a page that retries); any
 * other failed read only leaves its section empty and says so at the top.
 */
export async function consolePage(deps: ConsolePageDeps, signedIn: boolean): Promise<{ status: number; html: string }> {
  const now = (deps.now ?? Date.now)();
  const [status, syncRuns, deadLetters, freshness] = await Promise.allSettled([
    deps.status(),
    deps.syncRuns(CONSOLE_DEFAULTS.syncRunsShown),
    deps.deadLetters(),
    deps.freshnessHistory(deps.historyWindowMs, CONSOLE_DEFAULTS.freshnessBucketSeconds * 1000),
  ]);
  if (status.status === 'rejected') {
    deps.logger.warn({ err: status.reason }, 'status collection failed');
    return { status: 503, html: renderUnavailablePage(messageOf(status.reason), deps.refreshSeconds) };
  }
  const problems: string[] = [];
  if (syncRuns.status === 'rejected') problems.push(`Recent sync runs could not be read: ${messageOf(syncRuns.reason)}`);
  if (deadLetters.status === 'rejected') problems.push(`Dead letters could not be read: ${messageOf(deadLetters.reason)}`);
  if (freshness.status === 'rejected') problems.push(`The freshness history could not be read: ${messageOf(freshness.reason)}`);
  for (const problem of problems) deps.logger.warn(problem);
  const html = renderConsolePage({
    status: status.value,
    syncRuns: syncRuns.status === 'fulfilled' ? syncRuns.value : [],
    deadLetters: deadLetters.status === 'fulfilled' ? deadLetters.value : [],
    freshness: freshness.status === 'fulfilled' ? freshness.value : [],
    history: deps.history.since(now - deps.historyWindowMs),
    historyWindowMs: deps.historyWindowMs,
    refreshSeconds: deps.refreshSeconds,
    signedIn,
    problems,
    now,
  });
  return { status: 200, html };
}
