import { CE, EVENTS, decodeEvent } from '@mobius/contracts';
import { describe, expect, it } from 'vitest';
import { encodeOutboxEvent } from './relay.ts';

const event = {
  id: '6f1f3c2e-8a4b-4c1d-9e2f-0a1b2c3d4e5f',
  documentId: '0b7e4a52-2f7c-4d8e-a1b2-c3d4e5f60718',
  eventType: 'published' as const,
  documentVersion: 3,
  publishedAt: '2026-01-02T03:04:05.123456Z',
  rowsWritten: 12,
};

describe('encodeOutboxEvent', () => {
  it('encodes a publish event as a rag.publish_events CloudEvent keyed by the event id and ordered by document', () => {
    const message = encodeOutboxEvent(event);
    expect(message).toMatchObject({ topic: 'rag.publish_events', id: event.id, orderingKey: event.documentId });
    expect(message.attributes[CE.id]).toBe(event.id);
    expect(message.attributes[CE.type]).toBe(EVENTS.ragPublishEvent.type);
    expect(message.attributes[CE.time]).toBe('2026-01-02T03:04:05.123Z');
    expect(decodeEvent(EVENTS.ragPublishEvent, message)).toEqual({
      publish_event_id: event.id,
      document_id: event.documentId,
      event_type: 'published',
      document_version: 3,
      published_at: event.publishedAt,
      rows_written: 12,
    });
  });

  it('sends a null version for rows of the existing app, and never a negative row count', () => {
    const message = encodeOutboxEvent({ ...event, documentVersion: null, rowsWritten: -1 });
    expect(decodeEvent(EVENTS.ragPublishEvent, message)).toMatchObject({ document_version: null, rows_written: 0 });
  });
});
