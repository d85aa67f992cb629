import { describe, expect, it } from 'vitest';
import { ReplayUnsupportedError } from '../../errors.ts';
import { PubSubNames } from './names.ts';
import { seekRequest } from './replay.ts';

const names = new PubSubNames('acme-prod', 'staging.');

describe('the Seek request a Pub/Sub replay sends', () => {
  it('seeks to the exact time, to the millisecond, for --from <time>', () => {
    const request = seekRequest(names, 'ingestor', { kind: 'time', time: new Date('2026-01-28T10:15:30.250Z') }, true);
    expect(request).toEqual({
      subscription: 'projects/acme-prod/subscriptions/staging.ingestor',
      time: { seconds: Date.UTC(2026, 0, 28, 10, 15, 30) / 1_000, nanos: 250_000_000 },
    });
  });

  it('seeks the cloud to the epoch (everything retained) and the emulator to the origin snapshot for "beginning"', () => {
    expect(seekRequest(names, 'chat-sync', { kind: 'beginning' }, true)).toEqual({
      subscription: 'projects/acme-prod/subscriptions/staging.chat-sync',
      time: { seconds: 0, nanos: 0 },
    });
    expect(seekRequest(names, 'chat-sync', { kind: 'beginning' }, false)).toEqual({
      subscription: 'projects/acme-prod/subscriptions/staging.chat-sync',
      snapshot: 'projects/acme-prod/snapshots/staging.chat-sync~mobius-origin',
    });
  });

  it('refuses a sequence: Pub/Sub has no message sequence numbers', () => {
    expect(() => seekRequest(names, 'ingestor', { kind: 'sequence', sequence: 7 }, true)).toThrow(ReplayUnsupportedError);
  });
});
