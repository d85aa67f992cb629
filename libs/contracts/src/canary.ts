/**
 * The freshness canary (`PROBE_INTERVAL_SECONDS` on the rag service; docs/status.md): one reserved
 * document republished through the normal path at that interval, so freshness has samples even when
 * nobody publishes. Its rows carry the reserved payer, which chat's search never returns.
 */
export const CANARY = {
  /** The reserved `document_payer` of the canary's rows: chat search drops them. */
  payer: 'mobius-canary',
  /** The canary's one document in RAG, found again by this filename after a restart. */
  filename: 'mobius-canary.md',
  /** Who the publish is recorded as (`publish_events.published_by`). */
  publishedBy: 'mobius-canary',
} as const;
