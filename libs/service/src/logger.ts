import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

/**
 * JSON logs with Cloud Logging's field names (`severity`, `message`), the service name on every line,
 * and secrets redacted wherever they appear. Child loggers add `topic`, `messageId`, `traceId`.
 */
export function createLogger(service: string, level: LevelWithSilent = 'info'): Logger {
  return pino({
    level,
    base: { service },
    messageKey: 'message',
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ severity: label.toUpperCase() }),
    },
    redact: {
      paths: ['password', '*.password', 'authorization', '*.authorization', 'headers.authorization', 'token', '*.token'],
      censor: '***',
    },
  });
}
