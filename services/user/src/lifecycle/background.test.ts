import { createLogger } from '@mobius/service';
import { describe, expect, it } from 'vitest';
import { createBackgroundWork } from './background.ts';

const logger = createLogger('background-test', 'silent');
const gate = () => {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
};

describe('background work', () => {
  it('runs at most `concurrency` tasks at once, queues `maxQueued`, drops the rest, and settles when all are done', async () => {
    const work = createBackgroundWork(logger, { concurrency: 2, maxQueued: 3 });
    const g = gate();
    let active = 0;
    let peak = 0;
    let finished = 0;
    const task = async () => {
      active += 1;
      peak = Math.max(peak, active);
      await g.opened;
      active -= 1;
      finished += 1;
    };
    const accepted = Array.from({ length: 8 }, () => work.run('task', task));
    expect(accepted).toEqual([true, true, true, true, true, false, false, false]);
    expect(work.depth).toBe(5);
    let settled = false;
    const done = work.settled().then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(settled).toBe(false);
    g.open();
    await done;
    expect(finished).toBe(5);
    expect(peak).toBe(2);
    expect(work.depth).toBe(0);
  });

  it('keeps going after a failing task', async () => {
    const work = createBackgroundWork(logger, { concurrency: 1, maxQueued: 5 });
    let ran = 0;
    work.run('fails', async () => {
      throw new Error('boom');
    });
    work.run('runs', async () => {
      ran += 1;
    });
    await work.settled();
    expect(ran).toBe(1);
    await work.settled();
  });
});
