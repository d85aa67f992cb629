import { describe } from 'vitest';
import { concurrencyTests } from './concurrency-suite.ts';
import { useWarehouses, type MakeWarehouse } from './harness.ts';
import { landingTests } from './landing-suite.ts';
import { mergeTests } from './merge-suite.ts';
import { readingTests } from './reading-suite.ts';

/**
 * The Warehouse port's one conformance suite (docs/architecture.md, "Why it stays correct" 3-5): every adapter
 * runs it against its real backend, and is done when it passes. `makeWarehouse` is called once per test
 * and must return a warehouse on a fresh, empty, ready backend; the suite closes what it opened.
 *
 * It asserts only what a user of the port notices: idempotent landing, a row with an unusable
 * embedding landed with its metadata and a NULL embedding, refusal of a malformed snapshot with nothing
 * landed, replace semantics with tombstones, the version guard, no rewrite of unchanged rows,
 * late commits merged by the next run, serialized gapless runs, and keyset paging of the changes.
 */
export function runWarehouseConformance(name: string, makeWarehouse: MakeWarehouse): void {
  describe(`Warehouse conformance: ${name}`, () => {
    const open = useWarehouses(makeWarehouse);
    landingTests(open);
    mergeTests(open);
    concurrencyTests(open);
    readingTests(open);
  });
}
