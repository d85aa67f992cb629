import type { Logger } from '@mobius/service';

/**
 * Work a route starts after it has answered (the password-reset request answers 202 at once, so
 * whether an account exists does not show in its timing). A failure is logged, never thrown;
 * `settled()` waits for everything started so far (the app's onClose, and tests).
 */
export interface BackgroundWork {
  run(name: string, work: () => Promise<void>): void;
  settled(): Promise<void>;
}

export function createBackgroundWork(logger: Logger): BackgroundWork {
  const running = new Set<Promise<void>>();
  return {
    run(name, work) {
      const task = work()
        .catch((error: unknown) => logger.warn({ err: error, work: name }, `${name} failed`))
        .finally(() => running.delete(task));
      running.add(task);
    },
    async settled() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}
