import { describe, expect, it } from 'vitest';
import { UserApiError } from '../errors.ts';
import { createPasswordHashQueue } from './hash-queue.ts';

/** A hash that finishes when the test says so. */
function pendingHash() {
  let finish!: () => void;
  const done = new Promise<string>((resolve) => (finish = () => resolve('hash')));
  return { run: () => done, finish };
}

describe('createPasswordHashQueue', () => {
  it('runs `concurrency` hashes at once, queues `maxQueued`, and refuses the rest at once with 429 and retry-after', async () => {
    const queue = createPasswordHashQueue({ concurrency: 1, maxQueued: 2, hashMs: 300 });
    const hashes = [pendingHash(), pendingHash(), pendingHash()];
    const started: number[] = [];
    const runs = hashes.map((hash, i) =>
      queue.run(() => {
        started.push(i);
        return hash.run();
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0]);
    expect(queue.depth).toBe(3);
    const refused = await queue.run(async () => 'never').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UserApiError);
    expect(refused).toMatchObject({ statusCode: 429, detail: 'Too many requests', retryAfterSeconds: 1 });
    hashes[0]!.finish();
    await runs[0];
    expect(started).toEqual([0, 1]);
    hashes[1]!.finish();
    hashes[2]!.finish();
    expect(await Promise.all(runs)).toEqual(['hash', 'hash', 'hash']);
    expect(queue.depth).toBe(0);
  });

  it('frees the slot when a hash fails', async () => {
    const queue = createPasswordHashQueue({ concurrency: 1, maxQueued: 0, hashMs: 300 });
    await expect(queue.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await queue.run(async () => 'ok')).toBe('ok');
  });

  it('asks a full queue to retry after the work ahead of it', async () => {
    const queue = createPasswordHashQueue({ concurrency: 2, maxQueued: 4, hashMs: 1000 });
    const hold = pendingHash();
    const runs = Array.from({ length: 6 }, () => queue.run(hold.run));
    const refused = await queue.run(async () => 'x').catch((error: unknown) => error);
    expect(refused).toMatchObject({ retryAfterSeconds: 3 }); // 6 hashes ahead, 2 at a time, 1 s each
    hold.finish();
    await Promise.all(runs);
  });
});
