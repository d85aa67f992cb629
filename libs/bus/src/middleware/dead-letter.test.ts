import { describe, expect, it } from 'vitest';
import { DEAD_LETTER_ATTRIBUTES, type Message } from '../types.ts';
import { deadLetterRequest } from './dead-letter.ts';

const message: Message = {
  id: 'm-1',
  topic: 'rag.publish_events',
  data: new Uint8Array(),
  attributes: {},
  deliveryAttempt: 5,
  publishedAt: new Date(),
};

describe('dead-letter reasons', () => {
  it('fit a Pub/Sub attribute (1024 bytes) however many bytes their characters take', () => {
    for (const character of ['x', 'é', '€', '𝄞']) {
      const reason = deadLetterRequest(message, 'ingestor', new Error(character.repeat(2_000))).attributes?.[DEAD_LETTER_ATTRIBUTES.reason] ?? '';
      expect(Buffer.byteLength(reason)).toBeLessThanOrEqual(1_000);
      expect(Buffer.byteLength(reason)).toBeGreaterThan(990);
      expect(reason.endsWith(`${character}…`)).toBe(true);
    }
  });

  it('keep a short reason whole, on one line', () => {
    const request = deadLetterRequest(message, 'ingestor', new Error('warehouse down:\n  connection refused'));
    expect(request.attributes?.[DEAD_LETTER_ATTRIBUTES.reason]).toBe('warehouse down: connection refused');
  });
});
