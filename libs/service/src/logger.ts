import { traceLogFields } from '@mobius/telemetry';
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

/**
 * JSON logs with Cloud Logging's field names (`severity`, `message`), the service name on every line,
 * and secrets redacted wherever they appear. A line written while a span is active (a message being
 * handled, an HTTP request) also carries `logging.googleapis.com/trace`, `logging.googleapis.com/spanId`
 * and `logging.googleapis.com/trace_sampled`, so Cloud Logging shows it under its trace. Child
 * loggers add `topic`, `messageId`. Writes to stdout unless given `destination`.
 */
export function createLogger(service: string, level: LevelWithSilent = 'info', destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service },
    messageKey: 'message',
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label: string) => ({ severity: label.toUpperCase() }),
    },
    mixin: traceLogFields,
    redact: {
      paths: ['password', '*.password', 'authorization', '*.authorization', 'headers.authorization', 'token', '*.token'],
      censor: '***',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
