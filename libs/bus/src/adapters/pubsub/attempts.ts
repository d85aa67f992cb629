/** How long an attempt count is kept for a message this process has not seen again. */
const FORGET_AFTER_MS = 60 * 60 * 1_000;

/**
 * Counts deliveries per message id in this process, for when Pub/Sub reports none (it reports
 * `deliveryAttempt` only on subscriptions with a dead-letter policy, which the bus always sets, and
 * in a push envelope only on the cloud). A count is forgotten once the message is acked (so a
 * replayed message starts again at 1, as Pub/Sub's own count does after a seek) and after an hour
 * without news. Across processes it undercounts, which only delays dead-lettering.
 */
export class AttemptCounter {
  readonly #counts = new Map<string, { attempts: number; at: number }>();

  /** The attempt number of this delivery of `messageId`: 1 the first time, then 2, 3, ... */
  next(messageId: string): number {
    const now = Date.now();
    this.#prune(now);
    const attempts = (this.#counts.get(messageId)?.attempts ?? 0) + 1;
    this.#counts.delete(messageId);
    this.#counts.set(messageId, { attempts, at: now });
    return attempts;
  }

  /** The message was acked: its next delivery (a replay) is attempt 1 again. */
  forget(messageId: string): void {
    this.#counts.delete(messageId);
  }

  /** The reported attempt where Pub/Sub gave one (> 0), else this process's own count. */
  attemptOf(messageId: string, reported: number | null | undefined): number {
    return reported !== undefined && reported !== null && reported > 0 ? reported : this.next(messageId);
  }

  #prune(now: number): void {
    // Entries are kept in order of their last update, oldest first.
    for (const [id, { at }] of this.#counts) {
      if (now - at < FORGET_AFTER_MS) return;
      this.#counts.delete(id);
    }
  }
}
