import type { JsMsg, StoredMsg } from '@nats-io/jetstream';
import { headers, type MsgHdrs } from '@nats-io/transport-node';
import { ORDERING_KEY_HEADER } from '../../names.ts';
import type { Message, PublishRequest } from '../../types.ts';

/** JetStream's dedupe header: the bus message id travels here. */
export const MSG_ID_HEADER = 'Nats-Msg-Id';

/**
 * A message's NATS headers: its attributes as they are (names case-preserved), the ordering key in
 * `Mobius-Ordering-Key`. The id goes in `Nats-Msg-Id` through the publish option `msgID`.
 */
export function toHeaders(request: PublishRequest, attributes: Record<string, string>): MsgHdrs {
  const result = headers();
  for (const [name, value] of Object.entries(attributes)) result.set(name, value);
  if (request.orderingKey !== undefined) result.set(ORDERING_KEY_HEADER, request.orderingKey);
  return result;
}

interface Decoded {
  id: string | undefined;
  attributes: Record<string, string>;
  orderingKey: string | undefined;
}

/** Splits NATS headers back into id, attributes and ordering key; other `Nats-*` headers are dropped. */
function fromHeaders(source: MsgHdrs | undefined): Decoded {
  const decoded: Decoded = { id: undefined, attributes: {}, orderingKey: undefined };
  for (const name of source?.keys() ?? []) {
    const value = source?.get(name) ?? '';
    if (name === MSG_ID_HEADER) decoded.id = value;
    else if (name === ORDERING_KEY_HEADER) decoded.orderingKey = value;
    else if (!name.toLowerCase().startsWith('nats-')) decoded.attributes[name] = value;
  }
  return decoded;
}

function build(decoded: Decoded, fields: Omit<Message, 'id' | 'attributes' | 'orderingKey'>, stream: string): Message {
  // A message published without the bus (plain `nats pub`) has no id: its stream position names it.
  const message: Message = { ...fields, id: decoded.id || `${stream}:${fields.sequence}`, attributes: decoded.attributes };
  if (decoded.orderingKey) message.orderingKey = decoded.orderingKey;
  return message;
}

/** The handler's view of a delivered JetStream message; `deliveryAttempt` is the server's delivery count. */
export function fromJsMsg(msg: JsMsg, topic: string): Message {
  const fields = { topic, data: msg.data, deliveryAttempt: msg.info.deliveryCount, publishedAt: msg.time, sequence: msg.seq };
  return build(fromHeaders(msg.headers), fields, msg.info.stream);
}

/** A stored message read by `peek` (not a delivery: attempt 0). */
export function fromStoredMsg(msg: StoredMsg, topic: string, stream: string): Message {
  const fields = { topic, data: msg.data, deliveryAttempt: 0, publishedAt: msg.time, sequence: msg.seq };
  return build(fromHeaders(msg.header), fields, stream);
}
