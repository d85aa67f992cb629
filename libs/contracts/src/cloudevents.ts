import type { z } from 'zod';
import { InvalidEventError } from './errors.ts';
import type { EventDefinition } from './events.ts';

/** CloudEvents 1.0 binary mode: the context travels as attributes (Pub/Sub) or headers (NATS). */
export const CE = {
  id: 'ce-id',
  type: 'ce-type',
  source: 'ce-source',
  time: 'ce-time',
  specversion: 'ce-specversion',
  contentType: 'content-type',
  traceparent: 'traceparent',
} as const;

/** A message ready for `bus.publish`: id for dedupe, JSON body, CloudEvents attributes. */
export interface EncodedEvent {
  id: string;
  data: Uint8Array;
  attributes: Record<string, string>;
}

export interface EncodeOptions {
  /** The CloudEvents id, also the bus message id (dedupe key). Derive it from the source of truth. */
  id: string;
  time?: Date;
  traceparent?: string;
}

/** Validates `payload` against the event's schema and encodes it; throws InvalidEventError if invalid. */
export function encodeEvent<T extends z.ZodType>(definition: EventDefinition<T>, payload: z.input<T>, options: EncodeOptions): EncodedEvent {
  const parsed = definition.schema.safeParse(payload);
  if (!parsed.success) throw new InvalidEventError(`refusing to publish ${definition.type}: ${describeIssues(parsed.error)}`);
  const attributes: Record<string, string> = {
    [CE.id]: options.id,
    [CE.type]: definition.type,
    [CE.source]: definition.source,
    [CE.time]: (options.time ?? new Date()).toISOString(),
    [CE.specversion]: '1.0',
    [CE.contentType]: 'application/json',
  };
  if (options.traceparent) attributes[CE.traceparent] = options.traceparent;
  return { id: options.id, data: new TextEncoder().encode(JSON.stringify(parsed.data)), attributes };
}

/**
 * Decodes and validates a received message as `definition`'s event. Throws InvalidEventError (not
 * retryable) naming what is wrong: not JSON, another event type, or a field against the schema.
 */
export function decodeEvent<T extends z.ZodType>(
  definition: EventDefinition<T>,
  message: { data: Uint8Array; attributes: Record<string, string> },
): z.output<T> {
  const type = message.attributes[CE.type];
  if (type !== definition.type) {
    throw new InvalidEventError(`expected event type ${definition.type}, got ${type ?? 'no ce-type attribute'}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(message.data));
  } catch (error) {
    throw new InvalidEventError(`${definition.type}: body is not valid JSON`, { cause: error });
  }
  const parsed = definition.schema.safeParse(body);
  if (!parsed.success) throw new InvalidEventError(`${definition.type}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : 'body'} ${issue.message}`)
    .join('; ');
}
