// The seeded workload: publishes, republishes (changed and unchanged), unpublishes and deletes through
// the rag API, and the existing app's publishes and hard deletes in plain SQL, over a set of document
// slots. The operation list is drawn from the seed up front, so a replay issues the same operations;
// two workers run it, one operation per slot at a time. RAG's final state is the truth the checker
// uses, so an operation that fails (rag killed mid-request, Postgres restarting) is counted, not fatal.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { seededRandom } from '../../bench/support/random.ts';
import { sleep } from '../cluster/ports.ts';
import { appEditChunk, appHardDelete, appPublish, appUpload } from './existing-app.ts';

export const WORKLOAD_DEFAULTS = {
  /** Document slots the operations draw from. */
  documents: 24,
  /** Operations run at once (on different documents). */
  workers: 2,
  /** Pause between two operations of one worker, drawn in [min, max). */
  pauseMs: { min: 40, max: 240 },
  /** Paragraphs (chunks) per document, drawn in [min, max]. */
  paragraphs: { min: 2, max: 7 },
  /** Longest a rag API call may take before it counts as failed (and is retried). */
  requestTimeoutMs: 10_000,
  /** How long one operation keeps retrying while rag or Postgres is down. */
  retryForMs: 20_000,
  retryPauseMs: 300,
} as const;

/** What an operation does, by the origin of its document. */
export const OPERATION_KINDS = ['publish-new', 'republish-changed', 'republish-unchanged', 'unpublish', 'delete'] as const;
export type OperationKind = (typeof OPERATION_KINDS)[number];
const WEIGHTS: Record<OperationKind, number> = {
  'publish-new': 0.22,
  'republish-changed': 0.34,
  'republish-unchanged': 0.14,
  unpublish: 0.14,
  delete: 0.16,
};

interface Operation {
  kind: OperationKind;
  slot: number;
  /** New documents: written by the existing app's SQL (true) or through the rag API. */
  viaApp: boolean;
  paragraphs: number;
  pauseMs: number;
  variant: number;
}

interface Slot {
  id?: string;
  viaApp: boolean;
  /** Serialises the slot's operations. */
  busy: Promise<void>;
}

export interface WorkloadStats {
  /** Operations that completed, by `<origin>:<kind>`. */
  done: Record<string, number>;
  /** Operations that failed after their retries (or were refused), by `<origin>:<kind>`. */
  failed: Record<string, number>;
  /** A few failure messages, for the report. */
  errors: string[];
}

export interface WorkloadTarget {
  /** The rag service's URL now (it changes when rag restarts; waits while it is down). */
  ragUrl(): Promise<string>;
  /** Direct pool on RAG's database (the existing app's connection). */
  rag: pg.Pool;
  dimensions: number;
}

function drawOperations(seed: number, count: number): Operation[] {
  const random = seededRandom(seed);
  const pick = (): OperationKind => {
    let x = random.next();
    for (const kind of OPERATION_KINDS) {
      x -= WEIGHTS[kind];
      if (x < 0) return kind;
    }
    return 'republish-changed';
  };
  const { min, max } = WORKLOAD_DEFAULTS.pauseMs;
  const paragraphs = WORKLOAD_DEFAULTS.paragraphs;
  return Array.from({ length: count }, () => ({
    kind: pick(),
    slot: Math.floor(random.next() * WORKLOAD_DEFAULTS.documents),
    viaApp: random.next() < 0.4,
    paragraphs: paragraphs.min + Math.floor(random.next() * (paragraphs.max - paragraphs.min + 1)),
    pauseMs: min + Math.floor(random.next() * (max - min)),
    variant: Math.floor(random.next() * 1e6),
  }));
}

function markdown(title: string, paragraphs: number, variant: number): string {
  const lines = [`# ${title}`];
  for (let i = 0; i < paragraphs; i++) {
    if (i % 3 === 0) lines.push(`## Section ${Math.floor(i / 3) + 1}`);
    lines.push(`${title} paragraph ${i} (v${variant}): members must obtain prior authorization before service ${i}.`);
  }
  return lines.join('\n\n');
}

class Refused extends Error {}

/** Calls rag, retrying while it is unreachable or answers 5xx; a 4xx is final (Refused). */
async function ragCall(target: WorkloadTarget, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const deadline = Date.now() + WORKLOAD_DEFAULTS.retryForMs;
  for (;;) {
    let problem: string;
    try {
      const response = await fetch(`${await target.ragUrl()}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(WORKLOAD_DEFAULTS.requestTimeoutMs),
      });
      const text = await response.text();
      if (response.ok) return text ? (JSON.parse(text) as Record<string, unknown>) : {};
      if (response.status < 500) throw new Refused(`${method} ${path}: ${response.status} ${text.slice(0, 200)}`);
      problem = `${response.status} ${text.slice(0, 200)}`;
    } catch (error) {
      if (error instanceof Refused) throw error;
      problem = String(error);
    }
    if (Date.now() > deadline) throw new Error(`${method} ${path}: ${problem}`);
    await sleep(WORKLOAD_DEFAULTS.retryPauseMs);
  }
}

/** Runs an SQL step, retrying while Postgres restarts. */
async function sqlStep(work: () => Promise<unknown>): Promise<void> {
  const deadline = Date.now() + WORKLOAD_DEFAULTS.retryForMs;
  for (;;) {
    try {
      await work();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(WORKLOAD_DEFAULTS.retryPauseMs);
    }
  }
}

async function apply(target: WorkloadTarget, slot: Slot, op: Operation, slotIndex: number): Promise<string> {
  const title = `Doc ${slotIndex}`;
  if (!slot.id || op.kind === 'publish-new') {
    // A new document in this slot (the old one, if any, stays as it is: more documents in play).
    slot.viaApp = op.viaApp;
    if (op.viaApp) {
      const id = randomUUID();
      const paragraphs = markdown(title, op.paragraphs, op.variant)
        .split('\n\n')
        .filter((p) => !p.startsWith('#'));
      await sqlStep(() => appUpload(target.rag, id, `app-${slotIndex}-${op.variant}.md`, paragraphs, target.dimensions, op.variant));
      slot.id = id;
      await sqlStep(() => appPublish(target.rag, id));
    } else {
      const created = await ragCall(target, 'POST', '/documents', {
        filename: `api-${slotIndex}.md`,
        text: markdown(title, op.paragraphs, op.variant),
        payer: `Payer ${slotIndex % 3}`,
      });
      slot.id = String(created.document_id);
      await ragCall(target, 'POST', `/documents/${slot.id}/publish`, { published_by: 'chaos@mobius' });
    }
    return 'publish-new';
  }
  const id = slot.id;
  switch (op.kind) {
    case 'republish-changed':
      if (slot.viaApp) {
        await sqlStep(() => appEditChunk(target.rag, id, ` (edit ${op.variant})`));
        await sqlStep(() => appPublish(target.rag, id));
      } else {
        await ragCall(target, 'PUT', `/documents/${id}`, {
          filename: `api-${slotIndex}.md`,
          text: markdown(title, op.paragraphs, op.variant),
          payer: `Payer ${op.variant % 3}`,
        });
        await ragCall(target, 'POST', `/documents/${id}/publish`, {});
      }
      return op.kind;
    case 'republish-unchanged':
    case 'unpublish':
      // The existing app has no unpublish: it publishes again.
      if (slot.viaApp) await sqlStep(() => appPublish(target.rag, id));
      else await ragCall(target, 'POST', `/documents/${id}/${op.kind === 'unpublish' ? 'unpublish' : 'publish'}`, {});
      return slot.viaApp ? 'republish-unchanged' : op.kind;
    case 'delete':
      if (slot.viaApp) await sqlStep(() => appHardDelete(target.rag, id));
      else await ragCall(target, 'DELETE', `/documents/${id}`);
      slot.id = undefined;
      return op.kind;
  }
}

/** Runs the seeded operations until `durationMs` has passed. */
export async function runWorkload(target: WorkloadTarget, seed: number, durationMs: number): Promise<WorkloadStats> {
  const operations = drawOperations(seed, 10_000);
  const slots: Slot[] = Array.from({ length: WORKLOAD_DEFAULTS.documents }, () => ({ viaApp: false, busy: Promise.resolve() }));
  const stats: WorkloadStats = { done: {}, failed: {}, errors: [] };
  const end = Date.now() + durationMs;
  let next = 0;
  const worker = async () => {
    while (Date.now() < end && next < operations.length) {
      const op = operations[next++]!;
      const slot = slots[op.slot]!;
      const previous = slot.busy;
      let release = () => undefined as void;
      slot.busy = new Promise<void>((resolve) => (release = resolve));
      await previous;
      const origin = () => (slot.viaApp ? 'app' : 'api');
      try {
        const kind = await apply(target, slot, op, op.slot);
        stats.done[`${origin()}:${kind}`] = (stats.done[`${origin()}:${kind}`] ?? 0) + 1;
      } catch (error) {
        const key = `${origin()}:${op.kind}`;
        stats.failed[key] = (stats.failed[key] ?? 0) + 1;
        if (stats.errors.length < 5) stats.errors.push(String(error).slice(0, 300));
        // A document whose delete failed may or may not be gone: forget it either way.
        if (op.kind === 'delete') slot.id = undefined;
      } finally {
        release();
      }
      await sleep(op.pauseMs);
    }
  };
  await Promise.all(Array.from({ length: WORKLOAD_DEFAULTS.workers }, worker));
  return stats;
}
