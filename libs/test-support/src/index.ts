export { appPublish } from './existing-rag-app.ts';
export { freePort, portAnswers, waitForPort, waitForPortClosed } from './net.ts';
export { spawnNode, stopProcess, waitForLine, type RunningProcess } from './processes.ts';
export { CHAT_PUBLISHED_ROWS_SQL, comparableColumns, RAG_PUBLISHED_ROWS_SQL } from './published-rows.ts';
export { WAIT_DEFAULTS, waitFor } from './wait.ts';
