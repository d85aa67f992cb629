import type { Message } from '@mobius/bus';
import { viewOf, type DeadLetterView } from './dead-letter-view.ts';

/** A body as `show` prints it: JSON parsed, other UTF-8 text as is, anything else base64. */
interface Payload {
  encoding: 'json' | 'utf8' | 'base64';
  value: unknown;
}

function payloadOf(data: Uint8Array): Payload {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return { encoding: 'base64', value: Buffer.from(data).toString('base64') };
  }
  try {
    return { encoding: 'json', value: JSON.parse(text) as unknown };
  } catch {
    return { encoding: 'utf8', value: text };
  }
}

/** `mobius dlq show --json`: the list view plus every attribute and the payload. */
export function showObject(
  message: Message,
): DeadLetterView & { topic: string; attributes: Record<string, string>; payload: unknown; payload_encoding: string } {
  const payload = payloadOf(message.data);
  return {
    ...viewOf(message),
    topic: message.topic,
    attributes: sortedAttributes(message),
    payload: payload.value,
    payload_encoding: payload.encoding,
  };
}

/** `mobius dlq show`: what failed, why, every attribute, then the payload (JSON indented). */
export function showLines(message: Message): string[] {
  const view = viewOf(message);
  const payload = payloadOf(message.data);
  const attributes = Object.entries(sortedAttributes(message));
  const width = Math.max(0, ...attributes.map(([name]) => name.length));
  const body = payload.encoding === 'json' ? JSON.stringify(payload.value, null, 2) : String(payload.value);
  return [
    `id:             ${view.id}`,
    `dead letter on: ${message.topic}${view.sequence === undefined ? '' : ` (sequence ${view.sequence})`}`,
    `reason:         ${view.code}: ${view.reason}`,
    `attempts:       ${view.attempts ?? 'unknown'}`,
    `first failure:  ${view.first_failure_at ?? 'unknown'} (the original publish: the earliest it can have failed)`,
    `last failure:   ${view.last_failure_at} (dead-lettered)`,
    `trace id:       ${view.trace_id ?? 'none'}`,
    'attributes:',
    ...attributes.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`),
    `payload (${view.size_bytes} bytes${payload.encoding === 'base64' ? ', base64' : ''}):`,
    ...body.split('\n'),
  ];
}

function sortedAttributes(message: Message): Record<string, string> {
  return Object.fromEntries(Object.entries(message.attributes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
