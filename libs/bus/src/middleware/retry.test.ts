import { describe, expect, it } from 'vitest';
import { InvalidMessageError } from '../errors.ts';
import type { Message } from '../types.ts';
import { retry } from './retry.ts';

const message: Message = { id: 'm-1', topic: 't', data: new Uint8Array(), attributes: {}, deliveryAttempt: 1, publishedAt: new Date() };

describe('retry middleware', () => {
  it('retries a retryable failure in process and succeeds within one delivery', async () => {
    let calls = 0;
    const handler = retry({ retries: 2, delaysMs: [1] })(async () => {
      calls += 1;
      if (calls < 3) throw new Error('serialization failure');
    });
    await handler(message);
    expect(calls).toBe(3);
  });

  it('gives up after its retries and rethrows the last error for the bus to redeliver', async () => {
    let calls = 0;
    const handler = retry({ retries: 1, delaysMs: [1] })(async () => {
      calls += 1;
      throw new Error(`down ${calls}`);
    });
    await expect(handler(message)).rejects.toThrow('down 2');
    expect(calls).toBe(2);
  });

  it('does not retry an error that says it is permanent', async () => {
    let calls = 0;
    const handler = retry({ retries: 3, delaysMs: [1] })(async () => {
      calls += 1;
      throw new InvalidMessageError('bad input');
    });
    await expect(handler(message)).rejects.toBeInstanceOf(InvalidMessageError);
    expect(calls).toBe(1);
  });
});
