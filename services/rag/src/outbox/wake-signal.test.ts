import { describe, expect, it } from 'vitest';
import { WakeSignal } from './wake-signal.ts';

const LONG_MS = 60_000;

async function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const result = await Promise.race([promise.then(() => true), timeout]);
  clearTimeout(timer);
  return result;
}

describe('WakeSignal', () => {
  it('ends an idle sleep on wake, but not a backoff sleep', async () => {
    const signal = new WakeSignal();
    const idle = signal.sleep(LONG_MS, true);
    signal.wake();
    expect(await settlesWithin(idle, 100)).toBe(true);
    const backoff = signal.sleep(80, false);
    signal.wake();
    expect(await settlesWithin(backoff, 30)).toBe(false);
    expect(await settlesWithin(backoff, 200)).toBe(true);
  });

  it('remembers a wake that came while not sleeping, for the next idle sleep only', async () => {
    const signal = new WakeSignal();
    signal.wake();
    expect(await settlesWithin(signal.sleep(LONG_MS, true), 50)).toBe(true);
    expect(await settlesWithin(signal.sleep(LONG_MS, true), 50)).toBe(false);
    signal.stop();
  });

  it('ends any sleep on stop, and every later one at once', async () => {
    const signal = new WakeSignal();
    const backoff = signal.sleep(LONG_MS, false);
    signal.stop();
    expect(await settlesWithin(backoff, 50)).toBe(true);
    expect(await settlesWithin(signal.sleep(LONG_MS, false), 50)).toBe(true);
  });
});
