/** How a micro-batcher groups items: at most `maxItems`, waiting at most `maxWaitMs` for more. */
export interface MicroBatchOptions {
  maxItems: number;
  maxWaitMs: number;
}

/** The outcome of one item of a flushed batch: resolved, or rejected with its own error. */
export type ItemOutcome = { ok: true } | { ok: false; error: unknown };

interface Pending<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Groups items that arrive close together into one `flush` call (bursts of events become one write).
 * `add` resolves when its item's batch has been flushed successfully and rejects with that item's
 * error otherwise, so a message handler awaiting it acks only after the batch committed.
 * `flush` returns one outcome per item, in order.
 */
export class MicroBatcher<T> {
  private pending: Pending<T>[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly flush: (items: T[]) => Promise<ItemOutcome[]>,
    private readonly options: MicroBatchOptions,
  ) {}

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= this.options.maxItems) this.flushNow();
      else this.timer ??= setTimeout(() => this.flushNow(), this.options.maxWaitMs);
    });
  }

  private flushNow(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    this.flush(batch.map((p) => p.item)).then(
      (outcomes) =>
        batch.forEach((p, i) => {
          const outcome = outcomes[i] ?? { ok: false, error: new Error('flush returned no outcome for this item') };
          if (outcome.ok) p.resolve();
          else p.reject(outcome.error);
        }),
      (error: unknown) => {
        for (const p of batch) p.reject(error);
      },
    );
  }
}
