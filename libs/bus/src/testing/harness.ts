import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor as sharedWaitFor } from '@mobius/test-support';
import type { Bus, Handler, Message, PublishResult } from '../types.ts';

/** Short timings so the suite is fast on a real server: the ack wait is NATS's practical minimum. */
export const TIMINGS = {
  ackWaitMs: 1_000,
  backoffMs: [50],
  /** Longest any expectation may take to come true (covers an ack wait plus a pull cycle). */
  waitMs: 10_000,
  /** How long to watch for something that must NOT happen (an extra delivery) after the expected ones. */
  quietMs: 300,
} as const;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const bytes = (text: string): Uint8Array => encoder.encode(text);
export const text = (message: Pick<Message, 'data'>): string => decoder.decode(message.data);

/** A short random token for names: letters and digits only. */
export function randomToken(): string {
  return randomBytes(5).toString('hex');
}

/** The one waitFor (@mobius/test-support), polling every 10 ms for TIMINGS.waitMs unless told otherwise. */
export function waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs: number = TIMINGS.waitMs) {
  return sharedWaitFor(what, check, timeoutMs, 10);
}

/** A resolvable promise, for handlers that must wait for the test. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Records every message a handler receives (after `work` resolves or throws, `work`'s outcome stands). */
export class Received {
  readonly messages: Message[] = [];

  handler(work: (message: Message) => Promise<void> = async () => undefined): Handler {
    return async (message) => {
      this.messages.push(message);
      await work(message);
    };
  }

  bodies(): string[] {
    return this.messages.map(text);
  }

  /** Waits until at least `count` messages were received; returns their bodies. */
  async atLeast(count: number, what = `${count} messages`): Promise<string[]> {
    await waitFor(what, () => this.messages.length >= count);
    return this.bodies();
  }
}

/** Publishes one message per body, in order, with ids `${idPrefix}-${index}`. */
export async function publishBodies(
  bus: Bus,
  topic: string,
  bodies: string[],
  options: { idPrefix?: string; attributes?: Record<string, string>; orderingKey?: (body: string) => string } = {},
): Promise<PublishResult[]> {
  const results: PublishResult[] = [];
  for (const [index, body] of bodies.entries()) {
    const request = { topic, id: `${options.idPrefix ?? 'm'}-${index}`, data: bytes(body), attributes: options.attributes ?? {} };
    const orderingKey = options.orderingKey?.(body);
    results.push(await bus.publish(orderingKey === undefined ? request : { ...request, orderingKey }));
  }
  return results;
}

/** `count` bodies `${name}-0` ... */
export function bodiesNamed(name: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => `${name}-${index}`);
}

/** Peeks `topic` until it holds at least `count` messages (dead letters arrive asynchronously). */
export async function peekAtLeast(bus: Bus, topic: string, count: number): Promise<Message[]> {
  const deadline = Date.now() + TIMINGS.waitMs;
  for (;;) {
    const messages = await bus.peek(topic, 100);
    if (messages.length >= count) return messages;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} messages on ${topic}, found ${messages.length}`);
    await sleep(20);
  }
}
