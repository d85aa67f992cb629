import type { PipelineStatus } from '@mobius/status';
import type { StatusSample } from './types.ts';

/**
 * The backlog charts' memory: a bounded ring of status samples, oldest dropped first. Backlog and
 * dead-letter counts are known only by asking the bus now, and no database records them, so the
 * console keeps them itself: the ring starts empty and each console instance has its own.
 * (Freshness needs no ring: Chat keeps every sample, and the chart reads it in time buckets.)
 * Not shared between requests' writers: the sampler alone appends.
 */
export class StatusHistory {
  private readonly samples: StatusSample[] = [];

  /** `capacity`: the most samples kept (window / interval). */
  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`StatusHistory: capacity ${capacity} must be a positive integer`);
  }

  /** Appends one sample, dropping the oldest when full. */
  add(sample: StatusSample): void {
    this.samples.push(sample);
    if (this.samples.length > this.capacity) this.samples.splice(0, this.samples.length - this.capacity);
  }

  /** The samples taken at or after `sinceMs`, oldest first (a copy). */
  since(sinceMs: number): StatusSample[] {
    return this.samples.filter((s) => s.at >= sinceMs);
  }

  get size(): number {
    return this.samples.length;
  }
}

/** The chart values of one status: backlog per subscription, dead letters in all. */
export function sampleOf(status: PipelineStatus, at: number): StatusSample {
  const backlog: Record<string, number | null> = {};
  let deadLetters = 0;
  for (const s of status.subscriptions) {
    backlog[s.name] = s.backlog;
    deadLetters += s.dead_letters ?? 0;
  }
  return { at, backlog, deadLetters };
}
