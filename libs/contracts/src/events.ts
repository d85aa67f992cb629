import { z } from 'zod';
import { TOPICS, type TopicName } from './topics.ts';

const uuid = z.uuid({ message: 'must be a uuid' });
const count = z.number().int().nonnegative();

/**
 * rag.publish_events: one per `publish_events` row, relayed by the rag outbox. A claim check: it names
 * the document and the event, never the rows; the ingestor reads those from RAG.
 */
export const ragPublishEventV1 = z.object({
  publish_event_id: uuid,
  document_id: uuid,
  event_type: z.enum(['published', 'unpublished']),
  /** Our publish sets it; rows the existing RAG app writes have none (the ingestor derives it). */
  document_version: z.number().int().positive().nullable(),
  published_at: z.string().min(1),
  rows_written: count,
});

/** warehouse.landing_ingested: the landing batches one ingest committed. A trigger for the mart. */
export const landingIngestedV1 = z.object({
  batches: z
    .array(
      z.object({
        batch_id: uuid,
        document_id: uuid,
        document_version: z.number().int().nonnegative(),
        row_count: count,
      }),
    )
    .min(1),
});

/** warehouse.mart_updated: one committed mart run. A trigger for the sinks, which read the run's rows. */
export const martUpdatedV1 = z.object({
  run_id: z.number().int().positive(),
  documents: count,
  rows_upserted: count,
  rows_tombstoned: count,
});

export type RagPublishEvent = z.infer<typeof ragPublishEventV1>;
export type LandingIngested = z.infer<typeof landingIngestedV1>;
export type MartUpdated = z.infer<typeof martUpdatedV1>;

/** An event kind: its CloudEvents type (versioned), source, topic and schema. */
export interface EventDefinition<T extends z.ZodType = z.ZodType> {
  type: string;
  source: string;
  topic: TopicName;
  schema: T;
}

export const EVENTS = {
  ragPublishEvent: {
    type: 'com.mobius.rag.publish_event.v1',
    source: '/mobius/rag',
    topic: TOPICS.ragPublishEvents,
    schema: ragPublishEventV1,
  },
  landingIngested: {
    type: 'com.mobius.warehouse.landing_ingested.v1',
    source: '/mobius/ingestor',
    topic: TOPICS.landingIngested,
    schema: landingIngestedV1,
  },
  martUpdated: {
    type: 'com.mobius.warehouse.mart_updated.v1',
    source: '/mobius/mart-builder',
    topic: TOPICS.martUpdated,
    schema: martUpdatedV1,
  },
} as const satisfies Record<string, EventDefinition>;
