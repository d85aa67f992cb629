import { describe, expect, it } from 'vitest';
import type { Message } from '../types.ts';
import { currentTraceparent, tracing, withCurrentTraceparent } from './tracing.ts';

const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const messageWith = (attributes: Record<string, string>): Message => ({
  id: 'm-1',
  topic: 't',
  data: new Uint8Array(),
  attributes,
  deliveryAttempt: 1,
  publishedAt: new Date(),
});

describe('tracing middleware', () => {
  it('exposes the incoming traceparent to the handler and to what it publishes, and only there', async () => {
    let inside: string | undefined;
    let outgoing: Record<string, string> = {};
    await tracing()(async () => {
      await Promise.resolve();
      inside = currentTraceparent();
      outgoing = withCurrentTraceparent({ 'ce-type': 'x' });
    })(messageWith({ traceparent }));
    expect(inside).toBe(traceparent);
    expect(outgoing).toEqual({ 'ce-type': 'x', traceparent });
    expect(currentTraceparent()).toBeUndefined();
  });

  it('keeps a traceparent the publisher set itself, and ignores a malformed incoming one', async () => {
    const own = '00-11111111111111111111111111111111-2222222222222222-01';
    let kept: Record<string, string> = {};
    let fromMalformed: string | undefined = 'unset';
    await tracing()(async () => {
      kept = withCurrentTraceparent({ traceparent: own });
    })(messageWith({ traceparent }));
    await tracing()(async () => {
      fromMalformed = currentTraceparent();
    })(messageWith({ traceparent: 'not-a-trace' }));
    expect(kept).toEqual({ traceparent: own });
    expect(fromMalformed).toBeUndefined();
  });
});
