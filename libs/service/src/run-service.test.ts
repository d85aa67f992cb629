import { describe, expect, it } from 'vitest';
import { startupLine } from './run-service.ts';

describe('the start-up line', () => {
  it('names the address and every fact the composition root gave, in its order, leaving out the unset ones', () => {
    const line = startupLine('rag', 'http://127.0.0.1:8080', {
      database: 'postgresql://rag:***@db/rag',
      bus: 'nats',
      topicPrefix: 'dev-',
      vectorIndex: undefined,
      batch: 50,
    });
    expect(line).toBe('rag listening on http://127.0.0.1:8080 (database postgresql://rag:***@db/rag, bus nats, topicPrefix dev-, batch 50)');
  });

  it('is the bare address when there are no facts', () => {
    expect(startupLine('user', 'http://[::1]:8003')).toBe('user listening on http://[::1]:8003');
    expect(startupLine('user', 'http://[::1]:8003', { vectorIndex: '' })).toBe('user listening on http://[::1]:8003');
  });
});
