import { createServiceBus } from '@mobius/backends';
import type { ReplayFrom } from '@mobius/bus';
import { loadBusConfig } from '@mobius/config';
import { ALL_SUBSCRIPTIONS, findSubscription } from '@mobius/contracts';
import type { CliIO } from '../io.ts';

export interface ReplayCommandOptions {
  subscription: string;
  from: string;
  dryRun?: boolean;
}

/** Parses `--from`: an ISO-8601 time, `seq:N`, or `beginning`. */
export function parseReplayFrom(value: string): ReplayFrom {
  if (value === 'beginning') return { kind: 'beginning' };
  const sequence = /^seq:(\d+)$/.exec(value);
  if (sequence) return { kind: 'sequence', sequence: Number(sequence[1]) };
  const time = new Date(value);
  if (/^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(time.getTime())) return { kind: 'time', time };
  throw new ReplayCommandError(`--from must be an ISO-8601 time, seq:N or beginning (got ${JSON.stringify(value)})`);
}

export class ReplayCommandError extends Error {
  readonly code = 'REPLAY_INPUT';
  readonly retryable = false;
}

function describeFrom(from: ReplayFrom): string {
  if (from.kind === 'beginning') return 'the beginning';
  if (from.kind === 'sequence') return `sequence ${from.sequence}`;
  return from.time.toISOString();
}

/**
 * `mobius replay`: rewinds a subscription so its consumer receives every message again from a point.
 * The running consumers pick the replay up; their handlers are idempotent, so state does not change.
 */
export async function replayCommand(options: ReplayCommandOptions, io: CliIO): Promise<void> {
  const subscription = findSubscription(options.subscription);
  if (!subscription) {
    const known = ALL_SUBSCRIPTIONS.map((s) => s.name).join(', ');
    throw new ReplayCommandError(`unknown subscription ${options.subscription} (known: ${known})`);
  }
  const from = parseReplayFrom(options.from);
  const config = loadBusConfig('mobius', io.env);
  const target = `${subscription.name} on ${config.TOPIC_PREFIX}${subscription.topic}`;
  if (options.dryRun) {
    io.out(`would replay ${target} from ${describeFrom(from)} (bus ${config.BUS})`);
    return;
  }
  if (config.BUS === 'memory') throw new ReplayCommandError('replay needs a shared bus; BUS=memory lives inside one process');
  const bus = await createServiceBus('mobius', config);
  try {
    io.out(`replaying ${target} from ${describeFrom(from)} ...`);
    await bus.replay(subscription.topic, subscription.name, from);
    io.out(`replayed ${target}: its consumers now receive every message from ${describeFrom(from)} again`);
  } finally {
    await bus.close();
  }
}
