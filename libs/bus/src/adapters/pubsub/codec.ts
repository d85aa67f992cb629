import { InvalidPublishError } from '../../errors.ts';
import type { Message, PublishRequest } from '../../types.ts';

/** The attribute the bus message id travels in: Pub/Sub assigns its own `messageId`, which is not ours. */
export const MESSAGE_ID_ATTRIBUTE = 'mobius-message-id';

/** Pub/Sub's limits on one message (https://cloud.google.com/pubsub/quotas#resource_limits). */
const LIMITS = { attributes: 100, nameBytes: 256, valueBytes: 1_024, dataBytes: 10_000_000 } as const;

/** A message as the client library publishes it. */
export interface OutgoingMessage {
  data: Buffer;
  attributes: Record<string, string>;
  orderingKey?: string;
}

/**
 * The Pub/Sub message for `request`: its attributes as they are (CloudEvents `ce-*` and `traceparent`
 * included) plus the id in `mobius-message-id`; the ordering key as Pub/Sub's own. Throws
 * InvalidPublishError for what Pub/Sub refuses or reserves (`goog*` names, the id attribute, sizes).
 */
export function toOutgoing(request: PublishRequest, attributes: Record<string, string>): OutgoingMessage {
  const names = Object.keys(attributes);
  if (names.length + 1 > LIMITS.attributes) throw invalid(request, `has more than ${LIMITS.attributes - 1} attributes`);
  for (const name of names) {
    if (name.toLowerCase().startsWith('goog') || name === MESSAGE_ID_ATTRIBUTE) throw invalid(request, `attribute ${name} is reserved`);
    if (Buffer.byteLength(name) > LIMITS.nameBytes)
      throw invalid(request, `attribute name ${name.slice(0, 40)}... is over ${LIMITS.nameBytes} bytes`);
    if (Buffer.byteLength(attributes[name] ?? '') > LIMITS.valueBytes) throw invalid(request, `attribute ${name} is over ${LIMITS.valueBytes} bytes`);
  }
  if (Buffer.byteLength(request.id) > LIMITS.valueBytes) throw invalid(request, `message id is over ${LIMITS.valueBytes} bytes`);
  if (request.data.byteLength > LIMITS.dataBytes) throw invalid(request, `body is over ${LIMITS.dataBytes} bytes`);
  const message: OutgoingMessage = {
    data: Buffer.from(request.data.buffer, request.data.byteOffset, request.data.byteLength),
    attributes: { ...attributes, [MESSAGE_ID_ATTRIBUTE]: request.id },
  };
  if (request.orderingKey !== undefined) message.orderingKey = request.orderingKey;
  return message;
}

function invalid(request: PublishRequest, reason: string): InvalidPublishError {
  return new InvalidPublishError(`publish to ${request.topic}: ${reason}`);
}

/** A received Pub/Sub message in either wire form: gRPC pull (Timestamp, bytes) or a push envelope (ISO time, base64). */
export interface IncomingMessage {
  messageId: string;
  data: Uint8Array;
  attributes: Record<string, string>;
  orderingKey: string | undefined;
  publishedAt: Date;
}

/**
 * The handler's view of a received message: the bus id from `mobius-message-id` (a message published
 * without the bus, e.g. with gcloud, is named by Pub/Sub's id), the other attributes as they are.
 * Pub/Sub has no stream position, so `sequence` stays unset.
 */
export function toMessage(incoming: IncomingMessage, topic: string, deliveryAttempt: number): Message {
  const { [MESSAGE_ID_ATTRIBUTE]: id, ...attributes } = incoming.attributes;
  const message: Message = {
    id: id || incoming.messageId,
    topic,
    data: incoming.data,
    attributes,
    deliveryAttempt,
    publishedAt: incoming.publishedAt,
  };
  if (incoming.orderingKey) message.orderingKey = incoming.orderingKey;
  return message;
}

/** The gRPC form of a received message (`google.pubsub.v1.IPubsubMessage`, the fields we read). */
export interface GrpcMessage {
  messageId?: string | null;
  data?: Uint8Array | string | null;
  attributes?: Record<string, string> | null;
  orderingKey?: string | null;
  publishTime?: { seconds?: number | string | Long | null; nanos?: number | null } | null;
}

/** Protobuf's 64-bit integer as the client may hand it over. */
interface Long {
  toNumber(): number;
}

export function fromGrpc(message: GrpcMessage): IncomingMessage {
  const data = message.data;
  return {
    messageId: message.messageId ?? '',
    data: typeof data === 'string' ? Buffer.from(data, 'base64') : (data ?? new Uint8Array()),
    attributes: { ...message.attributes },
    orderingKey: message.orderingKey || undefined,
    publishedAt: timestampToDate(message.publishTime),
  };
}

function timestampToDate(time: GrpcMessage['publishTime']): Date {
  const raw = time?.seconds ?? 0;
  const seconds = typeof raw === 'object' ? raw.toNumber() : Number(raw);
  return new Date(seconds * 1_000 + Math.floor((time?.nanos ?? 0) / 1_000_000));
}
