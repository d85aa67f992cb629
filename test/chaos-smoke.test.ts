import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { clean } from '../chaos/checker.ts';
import { FAULT_KINDS, drawSchedule } from '../chaos/faults.ts';
import { runOnce, type RunResult } from '../chaos/run-one.ts';

// The chaos suite in small (docs/chaos.md): one short run per fault kind on a private Postgres, a
// private NATS and the services as processes, each ending with Chat and the vector index equal to
// RAG. The full suite is `npm run chaos`. Seeds are fixed, so a failure here replays with the
// command it prints.
const SMOKE = { seed: 7_100, durationMs: 6_000, convergeTimeoutMs: 60_000 } as const;

function expectClean(result: RunResult) {
  const report = `${result.replay}\n${result.schedule.join('\n')}\n${result.problems ?? ''}`;
  expect(result.comparison.chat, report).toMatchObject({ lost: 0, duplicated: 0, stale: 0, phantom: 0 });
  expect(result.comparison.index, report).toMatchObject({ lost: 0, duplicated: 0, stale: 0, phantom: 0 });
  expect(result.convergedMs, report).toBeDefined();
  expect(
    result.crashes.map((c) => `${c.service} exited ${c.exit}:\n${c.tail}`),
    report,
  ).toEqual([]);
  expect(result.ragRows).toBeGreaterThan(0);
}

describe('chaos smoke (NATS)', () => {
  it('the same seed draws the same fault schedule', () => {
    expect(drawSchedule(42, FAULT_KINDS, 20_000)).toEqual(drawSchedule(42, FAULT_KINDS, 20_000));
    expect(drawSchedule(42, FAULT_KINDS, 20_000)).not.toEqual(drawSchedule(43, FAULT_KINDS, 20_000));
  });

  for (const [i, kind] of FAULT_KINDS.entries()) {
    it(`${kind}: nothing lost, duplicated, stale or phantom once faults stop`, async () => {
      const result = await runOnce({ ...SMOKE, seed: SMOKE.seed + i, kinds: [kind], bus: 'nats', log: () => undefined });
      expectClean(result);
      expect(Object.values(result.injected).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    }, 120_000);
  }

  it('the checker sees drift in Chat and the index, and the reconciler repairs it', async () => {
    const result = await runOnce({
      ...SMOKE,
      seed: SMOKE.seed + 99,
      kinds: ['dup'],
      bus: 'nats',
      log: () => undefined,
      async inspect({ stack, checker, chat }) {
        await stack.signal('reconciler', 'SIGTERM');
        const [lost, stale] = (await chat.query<{ id: string }>('SELECT id FROM published_rag_metadata ORDER BY id LIMIT 2')).rows;
        await chat.query('DELETE FROM published_rag_metadata WHERE id = $1', [lost!.id]);
        await chat.query(`UPDATE published_rag_metadata SET text = text || ' (edited by hand)' WHERE id = $1`, [stale!.id]);
        await chat.query(
          `INSERT INTO published_rag_metadata SELECT (jsonb_populate_record(p, jsonb_build_object('id', $2::uuid))).* FROM published_rag_metadata p WHERE id = $1`,
          [stale!.id, randomUUID()],
        );
        const drifted = await checker.compare();
        expect(drifted.chat).toMatchObject({ lost: 1, stale: 1, phantom: 1, duplicated: 0 });
        await stack.restart('reconciler');
        const repaired = await checker.waitConverged(30_000);
        expect(clean(repaired.comparison)).toBe(true);
      },
    });
    expectClean(result);
  }, 120_000);
});
