/**
 * The variables the CLI can take from a running `mobius dev`, in groups that belong together. A
 * group is taken from dev only when the environment sets none of its variables: NATS_URL alone in the
 * shell means "this NATS", so dev's TOPIC_PREFIX must not be mixed in, and CHAT_RAG_DATABASE_URL alone
 * means "this chat database", whatever dev's CHAT_DATABASE_URL says.
 */
export const DEV_VARIABLE_GROUPS = {
  /** rag's own database (mobius-rag, `mobius migrate`). */
  ragDatabase: ['DATABASE_URL'],
  /** The pipeline's read side of RAG (ingestor, `mobius resync`), as mobius-dbt named it. */
  ragRead: ['POSTGRES_HOST', 'POSTGRES_PORT', 'POSTGRES_DB', 'POSTGRES_USER', 'POSTGRES_PASSWORD'],
  /** Chat's database, in chat's order of precedence. */
  chatDatabase: ['CHAT_RAG_DATABASE_URL', 'RAG_DATABASE_URL', 'CHAT_DATABASE_URL'],
  userDatabase: ['USER_DATABASE_URL'],
  /** The os app's parts (dev writes the _LOCAL ones). */
  osDatabase: [
    'DATABASE_MODE',
    'POSTGRES_HOST_LOCAL',
    'POSTGRES_PORT_LOCAL',
    'POSTGRES_DB_LOCAL',
    'POSTGRES_USER_LOCAL',
    'POSTGRES_PASSWORD_LOCAL',
    'CLOUDSQL_CONNECTION_NAME',
  ],
  warehouse: ['WAREHOUSE', 'WAREHOUSE_DATABASE_URL', 'BQ_PROJECT', 'BQ_DATASET', 'BQ_LANDING_DATASET'],
  bus: ['BUS', 'NATS_URL', 'PUBSUB_PROJECT', 'GOOGLE_CLOUD_PROJECT', 'PUBSUB_EMULATOR_HOST', 'TOPIC_PREFIX'],
  vectorIndex: [
    'VECTOR_INDEX',
    'VECTOR_INDEX_URL',
    'VERTEX_PROJECT',
    'VERTEX_REGION',
    'VERTEX_INDEX_ID',
    'VERTEX_INDEX_ENDPOINT_ID',
    'VERTEX_DEPLOYED_INDEX_ID',
  ],
  embedding: ['EMBEDDING_PROVIDER', 'EMBEDDING_DIMENSIONS'],
  ragApi: ['RAG_URL'],
  chatApi: ['CHAT_URL'],
  userApi: ['USER_URL'],
  reconcilerApi: ['RECONCILER_URL'],
  consoleApi: ['CONSOLE_URL'],
} as const satisfies Record<string, readonly string[]>;

export type DevVariableGroup = keyof typeof DEV_VARIABLE_GROUPS;

/** Service name in `mobius dev` -> the variable the CLI reads its URL from. */
export const SERVICE_URL_VARIABLES: Record<string, string> = {
  rag: 'RAG_URL',
  chat: 'CHAT_URL',
  user: 'USER_URL',
  reconciler: 'RECONCILER_URL',
  console: 'CONSOLE_URL',
};
