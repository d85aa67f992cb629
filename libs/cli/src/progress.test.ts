import { describe, expect, it } from 'vitest';
import type { CliIO } from './io.ts';
import { formatDuration, startProgress } from './progress.ts';

/** A non-terminal IO collecting stderr lines, and a clock the test moves. */
function harness() {
  const lines: string[] = [];
  const io: CliIO = { env: {}, out: () => {}, err: (line) => lines.push(line) };
  let time = 1_000_000;
  return { io, lines, now: () => time, advance: (ms: number) => (time += ms) };
}

describe('startProgress (not a terminal)', () => {
  it('prints a line each time another 10% is done, with rate and ETA, and none at 0%', () => {
    const { io, lines, now, advance } = harness();
    const progress = startProgress(io, 'repair vertex', 'documents', 200, now);
    progress.update(0);
    for (let done = 5; done <= 200; done += 5) {
      advance(100);
      progress.update(done);
    }
    expect(lines).toHaveLength(10);
    expect(lines[0]).toBe('repair vertex: [##------------------] 20/200 documents (10%), 50.0/s, ETA 4 s');
    expect(lines[4]).toMatch(/^repair vertex: \[#{10}-{10}\] 100\/200 documents \(50%\), 50\.0\/s, ETA 2 s$/);
    expect(lines[9]).toBe('repair vertex: [####################] 200/200 documents (100%), 50.0/s, ETA 0 s');
    progress.finish();
    expect(lines).toHaveLength(10);
  });

  it('prints the state reached when work ends early, and a line per tenth even in big steps', () => {
    const { io, lines, now, advance } = harness();
    const progress = startProgress(io, 'clone-rag chunks', 'rows', 25, now);
    advance(1_000);
    progress.update(7);
    advance(1_000);
    progress.update(14);
    progress.finish();
    progress.update(25);
    expect(lines).toEqual([
      'clone-rag chunks: [######--------------] 7/25 rows (28%), 7.0/s, ETA 3 s',
      'clone-rag chunks: [###########---------] 14/25 rows (56%), 7.0/s, ETA 2 s',
    ]);
  });

  it('without a total, prints a line every 10 s and one at the end', () => {
    const { io, lines, now, advance } = harness();
    const progress = startProgress(io, 'check chat', 'rows', null, now);
    for (let i = 1; i <= 25; i++) {
      advance(1_000);
      progress.update(i * 100);
    }
    progress.finish();
    expect(lines).toEqual(['check chat: 1000 rows, 100/s', 'check chat: 2000 rows, 100/s', 'check chat: 2500 rows, 100/s']);
  });
});

describe('formatDuration', () => {
  it('reads as a person would say it', () => {
    expect([formatDuration(4.2), formatDuration(125), formatDuration(3725)]).toEqual(['5 s', '2 min 5 s', '1 h 2 min']);
  });
});
