import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** Every service `mobius start` runs, and its entry point (which reads the environment and starts). */
export const SERVICE_ENTRIES = {
  rag: 'services/rag/src/main.ts',
  ingestor: 'services/ingestor/src/main.ts',
  'mart-builder': 'services/mart-builder/src/main.ts',
  'chat-sync': 'services/chat-sync/src/main.ts',
  'vertex-sync': 'services/vertex-sync/src/main.ts',
  chat: 'services/chat/src/main.ts',
  user: 'services/user/src/main.ts',
  'vector-index': 'services/vector-index/src/main.ts',
  reconciler: 'services/reconciler/src/main.ts',
  console: 'services/console/src/main.ts',
} as const;

export type ServiceName = keyof typeof SERVICE_ENTRIES;

/** `mobius start <service>`: runs one service in this process until SIGTERM (what a container runs). */
export async function startCommand(service: ServiceName): Promise<void> {
  await import(pathToFileURL(`${repoRoot}${SERVICE_ENTRIES[service]}`).href);
}
