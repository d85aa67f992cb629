import { JetStreamApiCodes, JetStreamApiError, type JetStreamManager, type MsgRequest, type StoredMsg } from '@nats-io/jetstream';
import { BusUnavailableError, errorMessage } from '../../errors.ts';
import type { DeadLetterStore } from '../../extensions.ts';
import { deadLetterTopicOf, validateSubscription, validateTopic } from '../../names.ts';
import type { Message } from '../../types.ts';
import { fromStoredMsg } from './codec.ts';
import { isMissing, natsStreamName, natsSubject } from './provision.ts';

/** Where a subscription's dead letters live on JetStream. */
interface Location {
  /** Unprefixed dead-letter topic, as messages name it. */
  topic: string;
  stream: string;
  subject: string;
}

/**
 * Dead letters on NATS: the stream of `<topic>.dlq.<subscription>`, read message by message (no
 * consumer, so nothing is consumed) and removed by deleting stream messages by sequence (JetStream
 * keeps the sequence numbers; `count` is the stream's message count, which excludes deleted ones).
 *
 * `remove` takes ids, the stream deletes by sequence: the store remembers the sequences its `list`
 * saw (checking each one still holds that id before deleting it) and scans the stream once for ids it
 * has not seen, so a redrive of thousands of dead letters does not rescan the stream per message.
 * Dead letters sharing an id (one message dead-lettered twice) are removed together.
 */
export class NatsDeadLetterStore implements DeadLetterStore {
  readonly #jsm: JetStreamManager;
  readonly #prefix: string;
  /** Stream -> message id -> sequences `list` saw it at. */
  readonly #seen = new Map<string, Map<string, number[]>>();

  constructor(jsm: JetStreamManager, prefix: string) {
    this.#jsm = jsm;
    this.#prefix = prefix;
  }

  async list(topic: string, subscription: string, limit: number): Promise<Message[]> {
    const where = this.#locate(topic, subscription);
    const messages: Message[] = [];
    for await (const stored of this.#scan(where)) {
      if (messages.length >= limit) break;
      const message = fromStoredMsg(stored, where.topic, where.stream);
      this.#remember(where.stream, message.id, stored.seq);
      messages.push(message);
    }
    return messages;
  }

  async count(topic: string, subscription: string): Promise<number> {
    const where = this.#locate(topic, subscription);
    return (await this.#state(where.stream))?.messages ?? 0;
  }

  async remove(topic: string, subscription: string, ids: readonly string[]): Promise<number> {
    const where = this.#locate(topic, subscription);
    const unseen = new Set(ids);
    let removed = 0;
    const seen = this.#seen.get(where.stream);
    for (const id of new Set(ids)) {
      for (const sequence of seen?.get(id) ?? []) {
        const stored = await this.#get(where.stream, { seq: sequence });
        if (!stored || fromStoredMsg(stored, where.topic, where.stream).id !== id) continue;
        removed += await this.#delete(where.stream, sequence);
        unseen.delete(id);
      }
      seen?.delete(id);
    }
    if (unseen.size === 0) return removed;
    for await (const stored of this.#scan(where)) {
      if (unseen.has(fromStoredMsg(stored, where.topic, where.stream).id)) removed += await this.#delete(where.stream, stored.seq);
    }
    return removed;
  }

  #locate(topic: string, subscription: string): Location {
    validateTopic(topic);
    validateSubscription(subscription);
    const deadLetters = deadLetterTopicOf(topic, subscription);
    return { topic: deadLetters, stream: natsStreamName(this.#prefix, deadLetters), subject: natsSubject(this.#prefix, deadLetters) };
  }

  /** Every message of the stream, oldest first, skipping deleted sequences (`next_by_subj`: the next stored at or after). */
  async *#scan(where: Location): AsyncGenerator<StoredMsg> {
    const state = await this.#state(where.stream);
    if (!state || state.messages === 0) return;
    for (let seq = Math.max(1, state.first_seq); seq <= state.last_seq; ) {
      // The client's MsgRequest type lacks `next_by_subj`, which the server (2.9+) accepts.
      const stored = await this.#get(where.stream, { seq, next_by_subj: where.subject } as unknown as MsgRequest);
      if (!stored) return;
      yield stored;
      seq = stored.seq + 1;
    }
  }

  async #state(stream: string) {
    try {
      return (await this.#jsm.streams.info(stream)).state;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw new BusUnavailableError(`cannot read stream ${stream}: ${errorMessage(error)}`, { cause: error });
    }
  }

  async #get(stream: string, query: MsgRequest): Promise<StoredMsg | null> {
    try {
      return await this.#jsm.streams.getMessage(stream, query);
    } catch (error) {
      if (isMissing(error)) return null;
      throw new BusUnavailableError(`cannot read a message of ${stream}: ${errorMessage(error)}`, { cause: error });
    }
  }

  /** Deletes one message (not erased: dead letters carry ids and counts, not secrets); 1 if it was there. */
  async #delete(stream: string, sequence: number): Promise<number> {
    try {
      return (await this.#jsm.streams.deleteMessage(stream, sequence, false)) ? 1 : 0;
    } catch (error) {
      // Already gone (another operator removed it meanwhile) is not a failure of this removal.
      if (isMissing(error) || (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.NoMessageFound)) return 0;
      throw new BusUnavailableError(`cannot delete message ${sequence} of ${stream}: ${errorMessage(error)}`, { cause: error });
    }
  }

  #remember(stream: string, id: string, sequence: number): void {
    let ids = this.#seen.get(stream);
    if (!ids) this.#seen.set(stream, (ids = new Map()));
    const sequences = ids.get(id) ?? [];
    if (!sequences.includes(sequence)) sequences.push(sequence);
    ids.set(id, sequences);
  }
}
