/**
 * A sleep that can be cut short. `wake()` ends the current `sleep` only when it was started as
 * wakeable (idle polling), so notifications do not cut a retry backoff short; `stop()` ends any
 * sleep, now and later.
 */
export class WakeSignal {
  private pending: { resolve: () => void; wakeable: boolean; timer: NodeJS.Timeout } | undefined;
  private woken = false;
  private stopped = false;

  /** Resolves after `ms`, or earlier on `stop()` (or `wake()` when `wakeable`). */
  sleep(ms: number, wakeable: boolean): Promise<void> {
    if (this.stopped || (wakeable && this.woken)) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.finish(), ms);
      this.pending = { resolve, wakeable, timer };
    });
  }

  /** Something to do: ends an idle sleep now, or the next one at once. */
  wake(): void {
    if (this.pending?.wakeable) this.finish();
    else this.woken = true;
  }

  stop(): void {
    this.stopped = true;
    this.finish();
  }

  private finish(): void {
    const pending = this.pending;
    this.pending = undefined;
    if (!pending) return;
    clearTimeout(pending.timer);
    this.woken = false;
    pending.resolve();
  }
}
