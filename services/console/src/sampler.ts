import type { Logger } from '@mobius/service';
import { sampleOf, type StatusHistory } from './history.ts';
import type { StatusSource } from './types.ts';

export interface Sampler {
  /** Stops sampling; resolves once a sample being taken has finished. */
  stop(): Promise<void>;
}

/**
 * Takes one status sample at once and then every `intervalMs`, into `history`. A failed sample is
 * logged and skipped (the chart shows a gap), never fatal: the console must outlive the backends it
 * watches. Samples never overlap: the next is scheduled after the previous finished.
 */
export function startSampler(options: {
  status: StatusSource;
  history: StatusHistory;
  intervalMs: number;
  logger: Logger;
  now?: () => number;
}): Sampler {
  const now = options.now ?? Date.now;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const takeOne = async () => {
    try {
      options.history.add(sampleOf(await options.status(), now()));
    } catch (error) {
      options.logger.warn({ err: error }, 'status sample failed; the charts show a gap');
    }
  };
  const loop = () => {
    running = takeOne().finally(() => {
      if (!stopped) timer = setTimeout(loop, options.intervalMs);
    });
  };
  loop();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
