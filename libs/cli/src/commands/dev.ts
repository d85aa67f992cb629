import { DEV_DEFAULTS } from '../dev/defaults.ts';
import { DevError } from '../dev/errors.ts';
import type { DevOptions } from '../dev/run.ts';
import type { CliIO } from '../io.ts';

/** What stops `mobius dev`: Ctrl-C, a process manager, a closed terminal. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Resolves once `signal` aborts. */
function whenAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/**
 * `mobius dev` (what `npm start` runs): the whole platform in this process (dev/run.ts) until
 * SIGINT, SIGTERM or SIGHUP; then every app closes, consumers drain, the bus, the index and the
 * embedded Postgres stop, and it returns (exit 0). A signal during start stops what started. If the
 * embedded Postgres dies on its own, everything else is stopped and it throws DEV_POSTGRES (exit 1). The
 * first signal arms a deadline: still running after it, the process exits 1. Further signals are
 * ignored (npm and the terminal may both deliver Ctrl-C). The platform is loaded only when this runs.
 */
export async function devCommand(options: DevOptions, io: CliIO): Promise<void> {
  const controller = new AbortController();
  let deadlineArmed = false;
  const armDeadline = () => {
    if (deadlineArmed) return;
    deadlineArmed = true;
    setTimeout(() => {
      io.err(`mobius dev: did not stop within ${DEV_DEFAULTS.shutdownDeadlineMs} ms; exiting`);
      process.exit(1);
    }, DEV_DEFAULTS.shutdownDeadlineMs).unref();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) return;
    controller.abort(signal);
    armDeadline();
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  try {
    const { runDev } = await import('../dev/run.ts');
    const running = await runDev(options, io, controller.signal).catch((error: unknown) => {
      if (controller.signal.aborted) return undefined;
      throw error;
    });
    if (!running) {
      io.out(`mobius dev: ${controller.signal.reason} during start; stopped`);
      return;
    }
    const failure = await Promise.race([whenAborted(controller.signal), running.failed]);
    armDeadline();
    io.out(`mobius dev: ${failure === undefined ? controller.signal.reason : 'failed'}: stopping`);
    await running.stop();
    io.out('mobius dev: stopped');
    if (failure !== undefined) throw new DevError('DEV_POSTGRES', failure);
  } finally {
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
  }
}
