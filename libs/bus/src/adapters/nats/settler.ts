import type { JsMsg } from '@nats-io/jetstream';
import { errorMessage } from '../../errors.ts';
import type { BusLogger } from '../../types.ts';

/**
 * Sends one subscriber's acks and naks together, once per turn of the event loop, instead of as
 * each handler resolves. The client writes what is queued in one run of code as one socket write,
 * and handlers resolve a few at a time: without this a subscriber makes about one write (a system
 * call that also wakes the server) per few messages; with it, one per turn. A settle waits for
 * nothing but the end of the current turn, and `flush` sends what is queued at once (on close).
 */
export class NatsSettler {
  readonly #logger: BusLogger;
  readonly #logFields: Record<string, string>;
  #queued: { msg: JsMsg; delayMs: number | undefined }[] = [];
  #scheduled: NodeJS.Immediate | undefined;

  constructor(logger: BusLogger, logFields: Record<string, string>) {
    this.#logger = logger;
    this.#logFields = logFields;
  }

  ack(msg: JsMsg): void {
    this.#queue(msg, undefined);
  }

  /** Gives the message back for redelivery after `delayMs`. */
  nak(msg: JsMsg, delayMs: number): void {
    this.#queue(msg, delayMs);
  }

  /** Hands everything queued to the client now. */
  flush(): void {
    clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    const queued = this.#queued;
    this.#queued = [];
    for (const { msg, delayMs } of queued) {
      try {
        if (delayMs === undefined) msg.ack();
        else msg.nak(delayMs);
      } catch (error) {
        // The connection is gone: the server redelivers after the ack wait, so nothing is lost.
        this.#logger.warn({ ...this.#logFields, sequence: msg.seq, error: errorMessage(error) }, 'could not settle message');
      }
    }
  }

  #queue(msg: JsMsg, delayMs: number | undefined): void {
    this.#queued.push({ msg, delayMs });
    this.#scheduled ??= setImmediate(() => this.flush());
  }
}
