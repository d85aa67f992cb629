import { rateLimited } from '../errors.ts';

/**
 * Bounds the bcrypt hashing of new passwords (register), so a flood of registrations cannot take
 * every core and libuv thread from logins: at most `concurrency` hashes run at once in this process,
 * at most `maxQueued` more wait, and any beyond that are refused at once with 429 and a
 * `retry-after` of the time the queue ahead would take. Login's bcrypt comparison does not go
 * through it: it keeps its own latency (and has its own rate limits).
 */
export interface PasswordHashQueue {
  /** Runs `hash` when a slot is free; throws the 429 RATE_LIMITED when the queue is full. */
  run<T>(hash: () => Promise<T>): Promise<T>;
  /** Running and waiting hashes (metrics, tests). */
  readonly depth: number;
}

export interface PasswordHashQueueOptions {
  /** Hashes at once (default 1: one core of bcrypt at cost 12). */
  concurrency: number;
  /** Hashes that may wait for a slot. */
  maxQueued: number;
  /** How long one hash takes, for `retry-after` (cost 12: ~250-300 ms on one core). */
  hashMs: number;
}

export function createPasswordHashQueue(options: PasswordHashQueueOptions): PasswordHashQueue {
  let running = 0;
  const waiting: Array<() => void> = [];

  const release = () => {
    running -= 1;
    const next = waiting.shift();
    if (next) {
      running += 1;
      next();
    }
  };

  return {
    get depth() {
      return running + waiting.length;
    },
    async run(hash) {
      if (running >= options.concurrency) {
        if (waiting.length >= options.maxQueued) {
          const ahead = running + waiting.length;
          throw rateLimited((ahead * options.hashMs) / options.concurrency / 1000);
        }
        await new Promise<void>((resolve) => waiting.push(resolve));
      } else {
        running += 1;
      }
      try {
        return await hash();
      } finally {
        release();
      }
    },
  };
}
