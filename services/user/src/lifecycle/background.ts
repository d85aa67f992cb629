import type { Logger } from '@mobius/service';

/**
 * Work a route starts after it has answered (the password-reset request answers 202 at once, so
 * whether an account exists does not show in its timing). Bounded: at most `concurrency` tasks run at
 * once (each holds a database connection), at most `maxQueued` wait, and work beyond that is dropped
 * with a warning: a reset-request flood cannot take the pool from logins (bench/user-reset-flood.ts),
 * and the one who asked can ask again. A failure is logged, never thrown; `settled()` waits for
 * everything accepted so far (the app's onClose, and tests).
 */
export interface BackgroundWork {
  /** False when the work was dropped (the queue is full). */
  run(name: string, work: () => Promise<void>): boolean;
  settled(): Promise<void>;
  /** Running and waiting tasks. */
  readonly depth: number;
}

export interface BackgroundWorkOptions {
  concurrency: number;
  maxQueued: number;
}

/** Two at a time (of the pool's ten connections), two hundred waiting. */
export const BACKGROUND_WORK_DEFAULTS: BackgroundWorkOptions = { concurrency: 2, maxQueued: 200 };

export function createBackgroundWork(logger: Logger, options: BackgroundWorkOptions = BACKGROUND_WORK_DEFAULTS): BackgroundWork {
  const waiting: Array<{ name: string; work: () => Promise<void>; done: () => void }> = [];
  const idle = new Set<() => void>();
  let running = 0;
  let dropped = 0;

  const next = () => {
    while (running < options.concurrency && waiting.length > 0) {
      const task = waiting.shift()!;
      running += 1;
      void task
        .work()
        .catch((error: unknown) => logger.warn({ err: error, work: task.name }, `${task.name} failed`))
        .finally(() => {
          running -= 1;
          task.done();
          next();
        });
    }
    if (running === 0 && waiting.length === 0) for (const resolve of idle) resolve();
  };

  return {
    get depth() {
      return running + waiting.length;
    },
    run(name, work) {
      if (waiting.length >= options.maxQueued) {
        dropped += 1;
        // One line per 100 drops: the flood itself must not flood the log.
        if (dropped % 100 === 1) logger.warn({ work: name, dropped }, `${name} dropped: background work queue full`);
        return false;
      }
      waiting.push({ name, work, done: () => undefined });
      next();
      return true;
    },
    settled() {
      if (running === 0 && waiting.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = () => {
          idle.delete(done);
          resolve();
        };
        idle.add(done);
      });
    },
  };
}
