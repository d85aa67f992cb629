/**
 * Every service `mobius start` runs, and its entry point: the package's `./main` export (its `src/main.ts`,
 * which reads the environment and starts). Imported on demand, so `mobius start rag` loads rag and
 * nothing of the other services; the bundle (scripts/bundle.ts) makes each one a chunk of its own.
 */
export const SERVICE_ENTRIES = {
  rag: () => import('@mobius/rag/main'),
  ingestor: () => import('@mobius/ingestor/main'),
  'mart-builder': () => import('@mobius/mart-builder/main'),
  'chat-sync': () => import('@mobius/chat-sync/main'),
  'vertex-sync': () => import('@mobius/vertex-sync/main'),
  chat: () => import('@mobius/chat/main'),
  user: () => import('@mobius/user/main'),
  'vector-index': () => import('@mobius/vector-index-server/main'),
  reconciler: () => import('@mobius/reconciler/main'),
  console: () => import('@mobius/console/main'),
} as const satisfies Record<string, () => Promise<unknown>>;

export type ServiceName = keyof typeof SERVICE_ENTRIES;

/** `mobius start <service>`: runs one service in this process until SIGTERM (what a container runs). */
export async function startCommand(service: ServiceName): Promise<void> {
  await SERVICE_ENTRIES[service]();
}
