import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort, portAnswers, waitForPort } from './net.ts';
import { waitFor } from './wait.ts';

describe('waitFor', () => {
  it('returns the first truthy value, sync or async, counting a throw as not yet', async () => {
    let calls = 0;
    const value = await waitFor(
      'the third call',
      () => {
        calls++;
        if (calls === 1) throw new Error('not up');
        return calls === 3 && 'ready';
      },
      1_000,
      1,
    );
    expect([value, calls]).toEqual(['ready', 3]);
    expect(await waitFor('a promise', async () => 42, 1_000, 1)).toBe(42);
  });

  it('fails naming what it waited for and the last error', async () => {
    await expect(
      waitFor(
        'the moon',
        () => {
          throw new Error('no moon');
        },
        30,
        5,
      ),
    ).rejects.toThrow(/^timed out after 30 ms waiting for the moon: Error: no moon$/);
  });
});

describe('ports', () => {
  it('tells a port that answers from one that does not, and waits for one to open', async () => {
    const port = await freePort();
    expect(await portAnswers(port)).toBe(false);
    const server = createServer();
    setTimeout(() => server.listen(port, '127.0.0.1'), 100);
    await waitForPort('the server', port, 2_000, '127.0.0.1', 10);
    expect(await portAnswers(port)).toBe(true);
    await new Promise((resolve) => server.close(resolve));
    await expect(waitForPort('nothing', await freePort(), 50, '127.0.0.1', 10)).rejects.toThrow(/waiting for nothing to accept connections/);
  });
});
