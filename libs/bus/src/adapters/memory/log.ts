import type { Message, PublishRequest, PublishResult } from '../../types.ts';

/** A message as the in-memory topic keeps it; `sequence` is its 1-based position in the topic. */
export interface StoredMessage {
  sequence: number;
  id: string;
  data: Uint8Array;
  attributes: Record<string, string>;
  orderingKey?: string;
  publishedAt: Date;
}

/**
 * One topic's log: every message ever published (the memory adapter keeps them all, like a stream
 * without limits), plus the ids seen within the duplicate window. Single-threaded: no locking.
 */
export class TopicLog {
  readonly #entries: StoredMessage[] = [];
  /** Message id -> sequence and time first published, oldest first (Map keeps insertion order). */
  readonly #recentIds = new Map<string, { sequence: number; at: number }>();
  readonly #duplicateWindowMs: number;
  /** Sequences of removed messages (`mobius dlq redrive|purge` on a dead-letter topic). */
  readonly #removed = new Set<number>();

  constructor(duplicateWindowMs: number) {
    this.#duplicateWindowMs = duplicateWindowMs;
  }

  /** Appends the message unless its id was published within the window; body and attributes are copied. */
  append(request: PublishRequest, attributes: Record<string, string>): PublishResult {
    const now = Date.now();
    this.#forgetOldIds(now);
    const seen = this.#recentIds.get(request.id);
    if (seen) return { duplicate: true, sequence: seen.sequence };
    const entry: StoredMessage = {
      sequence: this.#entries.length + 1,
      id: request.id,
      data: new Uint8Array(request.data),
      attributes: { ...attributes },
      publishedAt: new Date(now),
    };
    if (request.orderingKey !== undefined) entry.orderingKey = request.orderingKey;
    this.#entries.push(entry);
    this.#recentIds.set(request.id, { sequence: entry.sequence, at: now });
    return { duplicate: false, sequence: entry.sequence };
  }

  /** The message at `sequence`, if the topic has one there. */
  at(sequence: number): StoredMessage | undefined {
    return this.#entries[sequence - 1];
  }

  /** The sequence of the first message published at or after `time` (one past the end if none). */
  firstSequenceAtOrAfter(time: Date): number {
    const index = this.#entries.findIndex((entry) => entry.publishedAt.getTime() >= time.getTime());
    return index === -1 ? this.#entries.length + 1 : index + 1;
  }

  /** The first `limit` messages, oldest first (removed ones skipped). */
  head(limit: number): StoredMessage[] {
    return this.#entries.filter((entry) => !this.#removed.has(entry.sequence)).slice(0, Math.max(0, limit));
  }

  /** How many messages the topic holds (removed ones not counted). */
  size(): number {
    return this.#entries.length - this.#removed.size;
  }

  /**
   * Removes every message with one of these ids, as JetStream deletes a stream message: its sequence
   * stays taken, and no subscription delivers it from then on. Returns how many were removed.
   */
  remove(ids: readonly string[]): number {
    const wanted = new Set(ids);
    let removed = 0;
    for (const entry of this.#entries) {
      if (!wanted.has(entry.id) || this.#removed.has(entry.sequence)) continue;
      this.#removed.add(entry.sequence);
      removed += 1;
    }
    return removed;
  }

  /** True when the message at `sequence` was removed. */
  isRemoved(sequence: number): boolean {
    return this.#removed.has(sequence);
  }

  #forgetOldIds(now: number): void {
    for (const [id, { at }] of this.#recentIds) {
      if (now - at < this.#duplicateWindowMs) return;
      this.#recentIds.delete(id);
    }
  }
}

/** The `Message` a handler (or `peek`, with attempt 0) sees for a stored message; the body is a copy. */
export function toMessage(entry: StoredMessage, topic: string, deliveryAttempt: number): Message {
  const message: Message = {
    id: entry.id,
    topic,
    data: new Uint8Array(entry.data),
    attributes: { ...entry.attributes },
    deliveryAttempt,
    publishedAt: entry.publishedAt,
    sequence: entry.sequence,
  };
  if (entry.orderingKey !== undefined) message.orderingKey = entry.orderingKey;
  return message;
}
